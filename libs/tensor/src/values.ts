import { endianness } from 'node:os';
import { DType, type Tensor } from '@conjugate/proto';
import { dtypeInfo, dtypeLabel, type ElementArray } from './dtype';
import { TensorError } from './tensor-error';
import { checkFinite, checkTensorMessage, isFloatDtype, type DecodeOptions } from './validate';

/** The values of a checked message as a typed array (BOOL normalised to 0/1). */
export interface TensorValues {
  dtype: DType;
  shape: number[];
  values: ElementArray;
}

const littleEndianHost = endianness() === 'LE';

/**
 * Reads a message's values without copying when the bytes are aligned for their type (the common
 * case: ts-proto's decoder hands us a fresh Buffer); unaligned bytes are copied once.
 */
export function tensorMessageValues(message: Tensor, options: DecodeOptions = {}): TensorValues {
  const name = options.name ?? 'tensor';
  const { dtype, shape, size, itemSize } = checkTensorMessage(message, options);
  const { view } = dtypeInfo(dtype);
  const data = message.data;
  let values: ElementArray;
  if (!littleEndianHost && itemSize > 1) {
    values = readLittleEndian(data, dtype, size);
  } else if (data.byteOffset % itemSize === 0) {
    values = view(data.buffer, data.byteOffset, size);
  } else {
    values = view(Uint8Array.from(data).buffer, 0, size);
  }
  if (dtype === DType.DTYPE_BOOL) values = asZeroOne(values as Uint8Array);
  if (options.rejectNonFinite && isFloatDtype(dtype)) checkFinite(name, values as Float32Array | Float64Array);
  return { dtype, shape, values };
}

/** The contract says any non-zero byte is true; tf and our consumers want exactly 0 or 1. */
function asZeroOne(bytes: Uint8Array): Uint8Array {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] > 1) return bytes.map((b) => (b === 0 ? 0 : 1));
  }
  return bytes;
}

function readLittleEndian(data: Uint8Array, dtype: DType, size: number): ElementArray {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (dtype === DType.DTYPE_FLOAT32) return Float32Array.from({ length: size }, (_, i) => dv.getFloat32(i * 4, true));
  if (dtype === DType.DTYPE_INT32) return Int32Array.from({ length: size }, (_, i) => dv.getInt32(i * 4, true));
  return Float64Array.from({ length: size }, (_, i) => dv.getFloat64(i * 8, true));
}

function dtypesFor(values: ElementArray): DType[] {
  if (values instanceof Float32Array) return [DType.DTYPE_FLOAT32];
  if (values instanceof Int32Array) return [DType.DTYPE_INT32];
  if (values instanceof Uint8Array) return [DType.DTYPE_UINT8, DType.DTYPE_BOOL];
  if (values instanceof Float64Array) return [DType.DTYPE_FLOAT64];
  return [];
}

/**
 * Wraps a typed array as a message without copying its bytes (the message shares the array's
 * memory: do not modify the array while the message is in use).
 */
export function valuesToTensorMessage(values: ElementArray, shape: readonly number[], dtype: DType, name = 'tensor'): Tensor {
  dtypeInfo(dtype, name);
  if (!dtypesFor(values).includes(dtype)) {
    throw new TensorError('DTYPE_MISMATCH', `${name}: a ${values.constructor.name} cannot be sent as ${dtypeLabel(dtype)}`);
  }
  const message: Tensor = { dtype, shape: [...shape], data: toBuffer(values) };
  checkTensorMessage(message, { name, maxElements: Number.MAX_SAFE_INTEGER });
  if (!littleEndianHost && values.BYTES_PER_ELEMENT > 1) message.data = toLittleEndian(values);
  return message;
}

function toBuffer(values: ElementArray): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

function toLittleEndian(values: ElementArray): Buffer {
  const out = Buffer.alloc(values.byteLength);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  values.forEach((v, i) => {
    if (values instanceof Float32Array) dv.setFloat32(i * 4, v, true);
    else if (values instanceof Int32Array) dv.setInt32(i * 4, v, true);
    else dv.setFloat64(i * 8, v, true);
  });
  return out;
}
