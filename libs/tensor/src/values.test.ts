import { DType, Tensor } from '@conjugate/proto';
import { TensorError } from './tensor-error';
import { tensorMessageValues, valuesToTensorMessage } from './values';

/** Encodes and decodes through the generated protobuf code, as a gRPC call would. */
function overTheWire(message: Tensor): Tensor {
  return Tensor.decode(Tensor.encode(message).finish());
}

function errorOf(fn: () => unknown): TensorError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TensorError) return error;
    throw error;
  }
  throw new Error('expected a TensorError, nothing was thrown');
}

describe('round trips through the protobuf wire format', () => {
  test.each([
    ['FLOAT32', DType.DTYPE_FLOAT32, Float32Array.from([1.5, -2.25, 3e-7, 0, -0, 1e30])],
    ['INT32', DType.DTYPE_INT32, Int32Array.from([0, -1, 2147483647, -2147483648, 42, 7])],
    ['UINT8', DType.DTYPE_UINT8, Uint8Array.from([0, 1, 127, 128, 255, 9])],
    ['BOOL', DType.DTYPE_BOOL, Uint8Array.from([0, 1, 1, 0, 0, 1])],
    ['FLOAT64', DType.DTYPE_FLOAT64, Float64Array.from([Math.PI, -1e300, 5e-324, 0, 1, 2])],
  ])('%s', (_label, dtype, values) => {
    const decoded = tensorMessageValues(overTheWire(valuesToTensorMessage(values, [2, 3], dtype)));
    expect(decoded.dtype).toBe(dtype);
    expect(decoded.shape).toEqual([2, 3]);
    expect(decoded.values.constructor).toBe(values.constructor);
    expect(Array.from(decoded.values)).toEqual(Array.from(values));
  });

  test('a scalar has an empty shape and one element', () => {
    const decoded = tensorMessageValues(overTheWire(valuesToTensorMessage(Float32Array.of(7), [], DType.DTYPE_FLOAT32)));
    expect(decoded.shape).toEqual([]);
    expect(Array.from(decoded.values)).toEqual([7]);
  });

  test('a zero-sized axis is a valid empty tensor', () => {
    const decoded = tensorMessageValues(overTheWire(valuesToTensorMessage(new Float32Array(0), [0, 5], DType.DTYPE_FLOAT32)));
    expect(decoded.shape).toEqual([0, 5]);
    expect(decoded.values.length).toBe(0);
  });

  test('a 16 MB float32 tensor survives intact', () => {
    const n = 4 * 1024 * 1024;
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = Math.sin(i) * 1000;
    const decoded = tensorMessageValues(overTheWire(valuesToTensorMessage(values, [1024, 64, 64], DType.DTYPE_FLOAT32)));
    expect(decoded.values.byteLength).toBe(16 * 1024 * 1024);
    expect(Buffer.from(decoded.values.buffer, decoded.values.byteOffset, decoded.values.byteLength).equals(Buffer.from(values.buffer))).toBe(true);
  });
});

describe('copies only when it must', () => {
  test('encoding shares the typed array memory', () => {
    const values = Float32Array.from([1, 2, 3, 4]);
    const message = valuesToTensorMessage(values, [4], DType.DTYPE_FLOAT32);
    expect(message.data.buffer).toBe(values.buffer);
  });

  test('aligned bytes are viewed in place', () => {
    const data = Buffer.from(Float32Array.from([1, 2, 3]).buffer);
    const decoded = tensorMessageValues({ dtype: DType.DTYPE_FLOAT32, shape: [3], data });
    expect(decoded.values.buffer).toBe(data.buffer);
  });

  test('bytes at an odd offset are copied once and read correctly', () => {
    const backing = Buffer.alloc(13);
    Buffer.from(Float32Array.from([1.5, -2, 8]).buffer).copy(backing, 1);
    const data = backing.subarray(1);
    const decoded = tensorMessageValues({ dtype: DType.DTYPE_FLOAT32, shape: [3], data });
    expect(decoded.values.buffer).not.toBe(data.buffer);
    expect(Array.from(decoded.values)).toEqual([1.5, -2, 8]);
  });

  test('BOOL bytes other than 0/1 mean true and come out as 1', () => {
    const decoded = tensorMessageValues({ dtype: DType.DTYPE_BOOL, shape: [4], data: Buffer.from([0, 7, 255, 1]) });
    expect(Array.from(decoded.values)).toEqual([0, 1, 1, 0 + 1]);
  });
});

describe('bad messages get a TensorError naming the problem', () => {
  const good = (): Tensor => ({ dtype: DType.DTYPE_FLOAT32, shape: [2, 2], data: Buffer.alloc(16) });

  test('unknown dtype', () => {
    const error = errorOf(() => tensorMessageValues({ ...good(), dtype: 99 as DType }, { name: 'images' }));
    expect(error.code).toBe('UNKNOWN_DTYPE');
    expect(error.message).toBe('images: unknown dtype 99 (not in the contract); expected one of DTYPE_FLOAT32, DTYPE_INT32, DTYPE_UINT8, DTYPE_BOOL, DTYPE_FLOAT64');
  });

  test('unspecified dtype', () => {
    expect(errorOf(() => tensorMessageValues({ ...good(), dtype: DType.DTYPE_UNSPECIFIED })).message).toMatch(/^tensor: unknown dtype 0 \(DTYPE_UNSPECIFIED\)/);
  });

  test('negative dimension', () => {
    const error = errorOf(() => tensorMessageValues({ ...good(), shape: [4, -1] }));
    expect(error.code).toBe('BAD_DIMENSION');
    expect(error.message).toBe('tensor: shape[1] = -1 is not a non-negative integer (shape [4, -1])');
  });

  test.each([[2.5], [NaN], [Infinity], [2 ** 60]])('non-integer or unsafe dimension %p', (dim) => {
    expect(errorOf(() => tensorMessageValues({ ...good(), shape: [dim, 1] })).code).toBe('BAD_DIMENSION');
  });

  test('byte length that does not match the shape', () => {
    const error = errorOf(() => tensorMessageValues({ ...good(), data: Buffer.alloc(15) }));
    expect(error.code).toBe('BYTE_LENGTH');
    expect(error.message).toBe('tensor: data has 15 bytes, but shape [2, 2] × 4 bytes per DTYPE_FLOAT32 needs 16');
  });

  test('more elements than the limit', () => {
    const error = errorOf(() => tensorMessageValues(good(), { maxElements: 3 }));
    expect(error.code).toBe('TOO_MANY_ELEMENTS');
    expect(error.message).toBe('tensor: shape [2, 2] has 4 elements, more than the limit of 3');
  });

  test('a huge claimed shape is refused by the limit, before any allocation', () => {
    const error = errorOf(() => tensorMessageValues({ ...good(), shape: [100000, 100000, 100000] }));
    expect(error.code).toBe('TOO_MANY_ELEMENTS');
  });

  test.each([
    ['NaN', DType.DTYPE_FLOAT32, Float32Array.from([1, NaN])],
    ['Infinity', DType.DTYPE_FLOAT32, Float32Array.from([1, Infinity])],
    ['-Infinity', DType.DTYPE_FLOAT64, Float64Array.from([-Infinity, 0])],
  ])('%s when asked to reject non-finite values', (label, dtype, values) => {
    const message = valuesToTensorMessage(values, [2], dtype);
    expect(tensorMessageValues(message).values.length).toBe(2);
    const error = errorOf(() => tensorMessageValues(message, { rejectNonFinite: true, name: 'dx' }));
    expect(error.code).toBe('NON_FINITE');
    expect(error.message).toContain(`dx: element ${values.findIndex((v) => !Number.isFinite(v))} is ${label}`);
  });

  test('wrong dtype or shape when the caller expects one', () => {
    expect(errorOf(() => tensorMessageValues(good(), { expectDtype: DType.DTYPE_INT32 })).message).toBe(
      'tensor: dtype is DTYPE_FLOAT32, expected DTYPE_INT32',
    );
    expect(errorOf(() => tensorMessageValues(good(), { expectShape: [null, 28, 28, 1] })).message).toBe(
      'tensor: shape is [2, 2], expected [?, 28, 28, 1]',
    );
    expect(tensorMessageValues(good(), { expectShape: [null, 2] }).shape).toEqual([2, 2]);
  });

  test('encoding a typed array as the wrong dtype or shape', () => {
    expect(errorOf(() => valuesToTensorMessage(Float32Array.of(1), [1], DType.DTYPE_INT32)).code).toBe('DTYPE_MISMATCH');
    expect(errorOf(() => valuesToTensorMessage(Float32Array.of(1, 2), [3], DType.DTYPE_FLOAT32)).code).toBe('BYTE_LENGTH');
  });
});
