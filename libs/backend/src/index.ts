// Which TensorFlow.js backend runs, chosen once per process, plus the wasm kernels training needs.
export { initBackend, type BackendInfo, type BackendName } from './init-backend';
export { registerWasmTrainingKernels } from './wasm-kernels/register';
export { profileKernels, type KernelProfile, type KernelTiming } from './kernel-profile';
export { reluGradient } from './relu-gradient';
export { readInto, valuesInPlace } from './tensor-values';
