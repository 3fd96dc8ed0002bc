import { DType, type Tensor } from '@conjugate/proto';

/** Typed arrays ⇄ the contract's Tensor (raw little-endian bytes), for the small arrays of a snapshot. */
export function float32Tensor(values: ArrayLike<number>, shape: number[]): Tensor {
  const array = Float32Array.from(values);
  return { dtype: DType.DTYPE_FLOAT32, shape, data: Buffer.from(array.buffer, array.byteOffset, array.byteLength) };
}

export function int32Tensor(values: ArrayLike<number>, shape: number[]): Tensor {
  const array = Int32Array.from(values);
  return { dtype: DType.DTYPE_INT32, shape, data: Buffer.from(array.buffer, array.byteOffset, array.byteLength) };
}

/** Elements of a float32/int32/float64 Tensor as plain numbers (copies, so any byte offset works). */
export function tensorValues(tensor: Tensor | undefined): number[] {
  if (!tensor) return [];
  const bytes = Uint8Array.from(tensor.data);
  switch (tensor.dtype) {
    case DType.DTYPE_FLOAT32: return Array.from(new Float32Array(bytes.buffer));
    case DType.DTYPE_INT32: return Array.from(new Int32Array(bytes.buffer));
    case DType.DTYPE_FLOAT64: return Array.from(new Float64Array(bytes.buffer));
    case DType.DTYPE_UINT8: case DType.DTYPE_BOOL: return Array.from(bytes);
    default: throw new Error(`tensorValues: unsupported dtype ${tensor.dtype}`);
  }
}
