import { util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ReluGradient } from '../relu-gradient';
import { heapOffset, simdKernels } from './simd-module';

function reluGradient(args: { inputs: { dy: TensorInfo; y: TensorInfo }; backend: BackendWasm }): TensorInfo {
  const { inputs, backend } = args;
  const { dy, y } = inputs;
  if (!util.arraysEqual(dy.shape, y.shape) || dy.dtype !== 'float32' || y.dtype !== 'float32') {
    throw new Error(`${ReluGradient}: dy and y must be float32 of one shape, got ${dy.dtype} [${dy.shape}] and ${y.dtype} [${y.shape}]`);
  }
  const dx = backend.makeOutput(y.shape, 'float32');
  simdKernels(backend).reluGradient(heapOffset(backend, dy), heapOffset(backend, y), heapOffset(backend, dx), util.sizeFromShape(y.shape));
  return dx;
}

/** The gradient through a ReLU as one SIMD pass (assembly/relu-gradient.ts). */
export const reluGradientConfig: KernelConfig = {
  kernelName: ReluGradient,
  backendName: 'wasm',
  kernelFunc: reluGradient as unknown as KernelFunc,
};
