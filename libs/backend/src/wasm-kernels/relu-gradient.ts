import { util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ReluGradient } from '../relu-gradient';
import { heapOffset, runKernelParts, threadRanges } from './simd-module';

function reluGradient(args: { inputs: { dy: TensorInfo; y: TensorInfo }; backend: BackendWasm }): TensorInfo {
  const { inputs, backend } = args;
  const { dy, y } = inputs;
  if (!util.arraysEqual(dy.shape, y.shape) || dy.dtype !== 'float32' || y.dtype !== 'float32') {
    throw new Error(`${ReluGradient}: dy and y must be float32 of one shape, got ${dy.dtype} [${dy.shape}] and ${y.dtype} [${y.shape}]`);
  }
  const dx = backend.makeOutput(y.shape, 'float32');
  const n = util.sizeFromShape(y.shape);
  // Parts of whole SIMD vectors (4 floats), element-wise: any split gives the same values.
  runKernelParts(backend, 'reluGradient', threadRanges(n, n, 4).map(([first, end]) => [
    heapOffset(backend, dy) + 4 * first, heapOffset(backend, y) + 4 * first, heapOffset(backend, dx) + 4 * first, end - first,
  ]));
  return dx;
}

/** The gradient through a ReLU as one SIMD pass (assembly/relu-gradient.ts). */
export const reluGradientConfig: KernelConfig = {
  kernelName: ReluGradient,
  backendName: 'wasm',
  kernelFunc: reluGradient as unknown as KernelFunc,
};
