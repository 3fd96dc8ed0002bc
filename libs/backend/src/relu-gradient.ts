import * as tf from '@tensorflow/tfjs-core';
import { getKernel, registerGradient, type NamedTensorMap } from '@tensorflow/tfjs-core';

/** A kernel of ours (wasm only, see wasm-kernels/relu-gradient.ts); other backends compose it. */
export const ReluGradient = 'ConjugateReluGradient';

/**
 * dL/dx of y = relu(x) from dL/dy and y itself (y > 0 exactly where x > 0): dy · step(y), one
 * kernel on the wasm backend instead of two passes over the activations.
 */
export function reluGradient(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  if (getKernel(ReluGradient, tf.getBackend()) === undefined) return tf.mul(dy, tf.step(y));
  return tf.engine().runKernel(ReluGradient, { dy, y } as NamedTensorMap) as tf.Tensor;
}

// Second derivatives (a gradient of a gradient) pass through the same mask; y gets none.
registerGradient({
  kernelName: ReluGradient,
  inputsToSave: ['y'],
  gradFunc: (g, saved) => {
    const [y] = saved;
    return { dy: () => reluGradient(g as tf.Tensor, y), y: () => tf.zerosLike(y) };
  },
});
