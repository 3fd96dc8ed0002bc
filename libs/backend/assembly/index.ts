// SIMD kernels for the wasm backend, in AssemblyScript. They share the backend's own memory (no data
// segments, no allocator: callers pass byte offsets of tensors the backend allocated) and are
// compiled at run time by src/wasm-kernels/compile-simd-kernels.ts. One kernel per file; madd.ts and
// scaled-rows.ts are the inner loops they share. Their tfjs wrappers live in src/wasm-kernels.
export { maxPool2x2 } from './max-pool';
export { maxPool2x2Grad } from './max-pool-grad';
export { reluGradient } from './relu-gradient';
export { convFilterGradient } from './conv-filter-gradient';
export { columnSums } from './column-sums';
export { conv2d } from './conv2d';
export { convInputGradient } from './conv-input-gradient';
