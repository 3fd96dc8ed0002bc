import { Slice, slice_util, util, type KernelConfig, type KernelFunc, type SliceAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * A contiguous slice (a run of rows: one batch of many points) copied straight from the input's place
 * in the heap. tfjs-backend-wasm 4.22 first copies the whole input out of the heap (readSync), so
 * slicing a batch out of 10 000 MNIST images copied 31 MB each time. Other slices go to the original.
 */
function slice(args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: SliceAttrs }, original: KernelFunc): TensorInfo {
  const { inputs: { x }, backend, attrs } = args;
  const [begin, size] = slice_util.parseSliceParams(x as never, attrs.begin, attrs.size);
  if (x.dtype === 'string' || !slice_util.isSliceContinous(x.shape, begin, size)) return original(args as never) as TensorInfo;
  const offset = slice_util.computeFlatOffset(begin, util.computeStrides(x.shape));
  const out = backend.makeOutput(size, x.dtype);
  // Views only after the allocation: allocating may grow (and so detach) the heap.
  const values = backend.typedArrayFromHeap(x);
  backend.typedArrayFromHeap(out).set(values.subarray(offset, offset + util.sizeFromShape(size)));
  return out;
}

export function sliceConfig(original: KernelConfig): KernelConfig {
  return { kernelName: Slice, backendName: 'wasm', kernelFunc: ((args: never) => slice(args, original.kernelFunc)) as KernelFunc };
}
