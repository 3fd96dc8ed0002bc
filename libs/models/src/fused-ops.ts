import * as tf from '@tensorflow/tfjs-core';
import { reluGradient } from '@conjugate/backend';
import { _FusedMatMul, Conv2DBackpropFilter, Conv2DBackpropInput, FusedConv2D, registerGradient, type NamedAttrMap, type NamedTensorMap } from '@tensorflow/tfjs-core';

/**
 * Convolution and dense layers as one kernel each — the op, its bias and its ReLU (XNNPACK on
 * wasm, one op on tfjs-node) — instead of op + Add + Relu over the whole output.
 *
 * Not tf.fused.conv2d / tf.fused.matMul: under a gradient tape (training, attacks, estimators)
 * they fuse no activation, and their customGrad computes the gradient of every input — the
 * filter gradients of every layer even when only the input gradient is wanted. These run the
 * same kernels with gradients registered per input, so the tape computes only what is asked.
 */
export type FusedActivation = 'linear' | 'relu';

/** NHWC convolution + bias, then the activation. */
export function fusedConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, strides: number, pad: 'same' | 'valid', activation: FusedActivation): tf.Tensor4D {
  const attrs = { strides, pad, dataFormat: 'NHWC', dilations: 1, activation };
  return tf.engine().runKernel(FusedConv2D, { x, filter, bias } as NamedTensorMap, attrs as unknown as NamedAttrMap) as tf.Tensor4D;
}

/** x [B, in] · kernel [in, units] + bias, then the activation. */
export function fusedMatMul(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, activation: FusedActivation): tf.Tensor2D {
  return tf.tidy(() => {
    const [rows, inner] = x.shape;
    const units = kernel.shape[1];
    // The kernel takes batched (rank-3) operands, as in tf.fused.matMul.
    const inputs = { a: tf.reshape(x, [1, rows, inner]), b: tf.reshape(kernel, [1, inner, units]), bias } as NamedTensorMap;
    const attrs = { transposeA: false, transposeB: false, activation };
    const y = tf.engine().runKernel(_FusedMatMul, inputs, attrs as unknown as NamedAttrMap) as tf.Tensor3D;
    return tf.reshape(y, [rows, units]);
  });
}

/** dL/d(pre-activation) from dL/dy and the saved output y (ReLU: y > 0 exactly where its input is). */
function throughActivation(dy: tf.Tensor, y: tf.Tensor, activation: unknown): tf.Tensor {
  if (activation === 'linear') return dy;
  if (activation === 'relu') return reluGradient(dy, y);
  throw new Error(`no gradient for fused activation ${String(activation)} (only linear and relu)`);
}

registerGradient({
  kernelName: FusedConv2D,
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter, y] = saved;
    const { strides, pad, dataFormat, dilations, dimRoundingMode, activation } = attrs;
    if (dataFormat !== 'NHWC' || (dilations !== 1 && String(dilations) !== '1,1')) throw new Error('fused conv2d gradient: NHWC and no dilation only');
    const g = throughActivation(dy as tf.Tensor, y, activation);
    const conv = { strides, pad, dataFormat, dimRoundingMode };
    return {
      x: () => tf.engine().runKernel(Conv2DBackpropInput, { dy: g, filter }, { ...conv, inputShape: x.shape }) as tf.Tensor,
      filter: () => tf.engine().runKernel(Conv2DBackpropFilter, { x, dy: g }, { ...conv, filterShape: filter.shape }) as tf.Tensor,
      bias: () => tf.sum(g, [0, 1, 2]),
    };
  },
});

registerGradient({
  kernelName: _FusedMatMul,
  inputsToSave: ['a', 'b'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [a, b, y] = saved;
    if (attrs.transposeA || attrs.transposeB) throw new Error('fused matMul gradient: untransposed operands only');
    const g = throughActivation(dy as tf.Tensor, y, attrs.activation);
    return {
      a: () => tf.matMul(g, b, false, true),
      b: () => tf.matMul(a, g, true, false),
      bias: () => tf.sum(g, [0, 1]),
    };
  },
});
