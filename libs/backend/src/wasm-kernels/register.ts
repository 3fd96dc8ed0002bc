import { BatchMatMul, Cast, Conv2D, Conv2DBackpropInput, FusedConv2D, getKernel, Identity, MaxPool, MaxPoolGrad, registerKernel, Slice, Sum, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './batch-mat-mul';
import { conv2DConfig, fusedConv2DConfig } from './conv2d';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input';
import { maxPoolConfig } from './max-pool';
import { maxPoolGradConfig } from './max-pool-grad';
import { reluGradientConfig } from './relu-gradient';
import { sliceConfig } from './slice';
import { sumConfig } from './sum';
import { castConfig, identityConfig } from './zero-copy';

/** Kernels tfjs-backend-wasm 4.22 lacks but gradient training needs, and our fused ReLU gradient. */
const missingKernels: KernelConfig[] = [conv2DBackpropFilterConfig, reluGradientConfig];

/** Faster replacements for wasm kernels that dominated a training step (issue 10's profile). */
const replacements: { kernelName: string; make: (original: KernelConfig) => KernelConfig }[] = [
  { kernelName: Conv2D, make: conv2DConfig },
  { kernelName: FusedConv2D, make: fusedConv2DConfig },
  { kernelName: Conv2DBackpropInput, make: conv2DBackpropInputConfig },
  { kernelName: MaxPool, make: maxPoolConfig },
  { kernelName: MaxPoolGrad, make: () => maxPoolGradConfig },
  { kernelName: Sum, make: sumConfig },
  { kernelName: Identity, make: identityConfig },
  { kernelName: Cast, make: castConfig },
  { kernelName: BatchMatMul, make: batchMatMulConfig },
  { kernelName: Slice, make: sliceConfig },
];

// The kernel registry is global (shared by every copy of this module, e.g. under jest.isolateModules).
const ours = Symbol.for('conjugate.backend.kernel');
const isOurs = (config: KernelConfig | undefined) => config !== undefined && ours in config;
const mark = (config: KernelConfig): KernelConfig => Object.assign({ ...config }, { [ours]: true });

/**
 * Registers our wasm kernels, once per process. CONJUGATE_WASM_FAST_KERNELS=0 keeps tfjs's own
 * kernels (only the missing ones are added): the baseline the benchmarks compare against. Call before the wasm backend initialises: a
 * replaced kernel keeps the original's setup (we fall back to it for shapes we do not handle).
 */
export function registerWasmTrainingKernels(): void {
  for (const config of missingKernels) {
    if (getKernel(config.kernelName, 'wasm') === undefined) registerKernel(mark(config));
  }
  if (process.env.CONJUGATE_WASM_FAST_KERNELS === '0') return;
  for (const { kernelName, make } of replacements) {
    const original = getKernel(kernelName, 'wasm');
    if (isOurs(original)) continue;
    if (original === undefined) throw new Error(`tfjs-backend-wasm has no ${kernelName} kernel to replace; load it first`);
    unregisterKernel(kernelName, 'wasm');
    registerKernel(mark({ ...make(original), setupFunc: original.setupFunc }));
  }
}
