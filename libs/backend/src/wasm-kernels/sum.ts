import { backend_util, Sum, util, type KernelConfig, type KernelFunc, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from './simd-module';

/**
 * Sum over the leading axes of a float32 tensor — every bias gradient, dY [B, H, W, C] → [C] —
 * as column sums of a [rows, width] matrix (SIMD, assembly/column-sums.ts), instead of the wasm
 * kernel's full transpose followed by a row reduction.
 * Anything else goes to the original kernel.
 */
function sum(args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: SumAttrs }, original: KernelFunc): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const axes = util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
  const leading = axes.every((axis, i) => axis === i) && axes.length > 0 && axes.length < x.shape.length;
  if (!leading || x.dtype !== 'float32') return original(args as never) as TensorInfo;

  const rows = util.sizeFromShape(x.shape.slice(0, axes.length));
  const width = util.sizeFromShape(x.shape.slice(axes.length));
  const outShape = attrs.keepDims ? backend_util.expandShapeToKeepDim(x.shape.slice(axes.length), axes) : x.shape.slice(axes.length);
  const out = backend.makeOutput(outShape, 'float32');
  simdKernels(backend).columnSums(heapOffset(backend, x), heapOffset(backend, out), rows, width);
  return out;
}

export function sumConfig(original: KernelConfig): KernelConfig {
  return {
    kernelName: Sum,
    backendName: 'wasm',
    kernelFunc: ((args: never) => sum(args, original.kernelFunc)) as KernelFunc,
  };
}
