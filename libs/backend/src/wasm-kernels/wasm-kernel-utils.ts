import { getKernel, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Runs another wasm kernel from inside ours, straight to the backend (no engine bookkeeping). */
export function runWasmKernel(
  name: string,
  backend: BackendWasm,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const kernel = getKernel(name, 'wasm');
  if (kernel == null) throw new Error(`wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

/**
 * A float32 view of a tensor in the wasm heap. Take views only after the last allocation of a
 * kernel: allocating may grow (and so detach) the heap.
 */
export function heapF32(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

export function disposeAll(backend: BackendWasm, infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}
