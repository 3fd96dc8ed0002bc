import { DType, Tensor } from '@conjugate/proto';
import { float64FromTensorMessage, float64ToTensorMessage } from './float64';

test('double-precision statistics round trip exactly over the wire', () => {
  const sums = Float64Array.from([1 / 3, 1e-300, -123456789.123456789, 2 ** 53 + 2]);
  const message = Tensor.decode(Tensor.encode(float64ToTensorMessage(sums, [2, 2])).finish());
  expect(message.dtype).toBe(DType.DTYPE_FLOAT64);
  const { values, shape } = float64FromTensorMessage(message);
  expect(shape).toEqual([2, 2]);
  expect(Array.from(values)).toEqual(Array.from(sums));
});

test('the default shape is the flat length', () => {
  expect(float64ToTensorMessage(Float64Array.of(1, 2, 3)).shape).toEqual([3]);
});

test('a FLOAT32 message is not silently widened', () => {
  const message: Tensor = { dtype: DType.DTYPE_FLOAT32, shape: [1], data: Buffer.alloc(4) };
  expect(() => float64FromTensorMessage(message, { name: 'm2' })).toThrow('m2: dtype is DTYPE_FLOAT32, expected DTYPE_FLOAT64');
});
