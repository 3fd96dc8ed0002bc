import { getKernel, registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';

/** Kernels tfjs-backend-wasm 4.22 lacks but gradient training needs. */
const trainingKernels: KernelConfig[] = [conv2DBackpropFilterConfig];

/** Registers our wasm kernels once; safe to call again. Must run before the wasm backend is set. */
export function registerWasmTrainingKernels(): void {
  for (const config of trainingKernels) {
    if (getKernel(config.kernelName, config.backendName) == null) registerKernel(config);
  }
}
