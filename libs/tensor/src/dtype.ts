import { DType } from '@conjugate/proto';
import { TensorError } from './tensor-error';

/** The element types a Tensor message can carry, with their typed arrays. */
export type ElementArray = Float32Array | Int32Array | Uint8Array | Float64Array;

interface DTypeInfo {
  name: string;
  itemSize: number;
  /** Builds a view (or array) of `length` elements over `buffer` at `byteOffset`. */
  view: (buffer: ArrayBufferLike, byteOffset: number, length: number) => ElementArray;
}

const infos: Partial<Record<DType, DTypeInfo>> = {
  [DType.DTYPE_FLOAT32]: { name: 'float32', itemSize: 4, view: (b, o, n) => new Float32Array(b, o, n) },
  [DType.DTYPE_INT32]: { name: 'int32', itemSize: 4, view: (b, o, n) => new Int32Array(b, o, n) },
  [DType.DTYPE_UINT8]: { name: 'uint8', itemSize: 1, view: (b, o, n) => new Uint8Array(b, o, n) },
  [DType.DTYPE_BOOL]: { name: 'bool', itemSize: 1, view: (b, o, n) => new Uint8Array(b, o, n) },
  [DType.DTYPE_FLOAT64]: { name: 'float64', itemSize: 8, view: (b, o, n) => new Float64Array(b, o, n) },
};

/** Size, name and typed-array view of a dtype; a TensorError for anything we do not know. */
export function dtypeInfo(dtype: DType, tensorName = 'tensor'): DTypeInfo {
  const info = infos[dtype];
  if (info === undefined) {
    const known = Object.keys(infos).map((k) => `${DType[Number(k)]}`).join(', ');
    throw new TensorError('UNKNOWN_DTYPE', `${tensorName}: unknown dtype ${dtype} (${DType[dtype] ?? 'not in the contract'}); expected one of ${known}`);
  }
  return info;
}

/** "DTYPE_FLOAT32" etc., for messages. */
export function dtypeLabel(dtype: DType): string {
  return DType[dtype] ?? `dtype ${dtype}`;
}
