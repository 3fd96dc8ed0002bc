import { DType, type Tensor } from '@conjugate/proto';
import { dtypeInfo, dtypeLabel } from './dtype';
import { TensorError } from './tensor-error';

/** How strict to be with a tensor that came from outside. */
export interface DecodeOptions {
  /** Name used in error messages, e.g. the request field ("images"). Default "tensor". */
  name?: string;
  /** Largest element count accepted. Default 2^28 (1 GiB of float32). */
  maxElements?: number;
  /** Reject NaN and ±Infinity in float tensors. Default false. */
  rejectNonFinite?: boolean;
  /** Require this dtype. */
  expectDtype?: DType;
  /** Require this shape; null entries accept any size on that axis. */
  expectShape?: readonly (number | null)[];
}

export const defaultMaxElements = 2 ** 28;

/** A message whose dtype, shape and byte length agree; size = product(shape). */
export interface CheckedTensor {
  dtype: DType;
  shape: number[];
  size: number;
  itemSize: number;
}

/** Checks everything about a message except its values (see rejectNonFinite); throws TensorError. */
export function checkTensorMessage(message: Tensor, options: DecodeOptions = {}): CheckedTensor {
  const name = options.name ?? 'tensor';
  const maxElements = options.maxElements ?? defaultMaxElements;
  const { itemSize } = dtypeInfo(message.dtype, name);
  if (options.expectDtype !== undefined && message.dtype !== options.expectDtype) {
    throw new TensorError('DTYPE_MISMATCH', `${name}: dtype is ${dtypeLabel(message.dtype)}, expected ${dtypeLabel(options.expectDtype)}`);
  }
  let size = 1;
  message.shape.forEach((dim, axis) => {
    if (!Number.isSafeInteger(dim) || dim < 0) {
      throw new TensorError('BAD_DIMENSION', `${name}: shape[${axis}] = ${dim} is not a non-negative integer (shape [${message.shape.join(', ')}])`);
    }
    size *= dim;
  });
  // Checked after every dim is valid, so a zero anywhere makes a huge product harmless.
  if (size > maxElements) {
    throw new TensorError('TOO_MANY_ELEMENTS', `${name}: shape [${message.shape.join(', ')}] has ${size} elements, more than the limit of ${maxElements}`);
  }
  const expectedBytes = size * itemSize;
  if (message.data.byteLength !== expectedBytes) {
    throw new TensorError(
      'BYTE_LENGTH',
      `${name}: data has ${message.data.byteLength} bytes, but shape [${message.shape.join(', ')}] × ${itemSize} bytes per ${dtypeLabel(message.dtype)} needs ${expectedBytes}`,
    );
  }
  if (options.expectShape !== undefined) checkShape(name, message.shape, options.expectShape);
  return { dtype: message.dtype, shape: [...message.shape], size, itemSize };
}

function checkShape(name: string, shape: readonly number[], expected: readonly (number | null)[]): void {
  const matches = shape.length === expected.length && expected.every((dim, axis) => dim === null || dim === shape[axis]);
  if (!matches) {
    const want = expected.map((d) => (d === null ? '?' : String(d))).join(', ');
    throw new TensorError('SHAPE_MISMATCH', `${name}: shape is [${shape.join(', ')}], expected [${want}]`);
  }
}

/** Throws if a float array holds NaN or ±Infinity, naming the first offending index. */
export function checkFinite(name: string, values: Float32Array | Float64Array): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) {
      throw new TensorError('NON_FINITE', `${name}: element ${i} is ${v}; NaN and Infinity are not accepted here`);
    }
  }
}

export function isFloatDtype(dtype: DType): boolean {
  return dtype === DType.DTYPE_FLOAT32 || dtype === DType.DTYPE_FLOAT64;
}
