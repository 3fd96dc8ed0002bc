import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { DType, Tensor } from '@conjugate/proto';
import { fromTensorMessage, toTensorMessage } from './tf-tensor';
import { TensorError } from './tensor-error';
import { valuesToTensorMessage } from './values';

beforeAll(async () => {
  await initBackend();
});

function overTheWire(message: Tensor): Tensor {
  return Tensor.decode(Tensor.encode(message).finish());
}

test.each([
  ['float32', () => tf.tensor([[0.5, -1.25, 3], [4, 5e-8, -6]], [2, 3], 'float32')],
  ['int32', () => tf.tensor([[1, -2, 2147483647], [0, 5, -2147483648]], [2, 3], 'int32')],
  ['bool', () => tf.tensor([[true, false, true], [false, false, true]], [2, 3], 'bool')],
])('%s tf.Tensor round trip', (dtype, make) => {
  const tensor = make();
  const back = fromTensorMessage(overTheWire(toTensorMessage(tensor)));
  expect(back.dtype).toBe(dtype);
  expect(back.shape).toEqual([2, 3]);
  expect(back.arraySync()).toEqual(tensor.arraySync());
  tf.dispose([back, tensor]);
});

test('UINT8 images become int32 tensors with the same values', () => {
  const message = valuesToTensorMessage(Uint8Array.from([0, 128, 255, 3]), [1, 2, 2, 1], DType.DTYPE_UINT8);
  const tensor = fromTensorMessage(overTheWire(message), { expectShape: [null, 2, 2, 1] });
  expect(tensor.dtype).toBe('int32');
  expect(Array.from(tensor.dataSync())).toEqual([0, 128, 255, 3]);
  tensor.dispose();
});

test('a 16 MB float32 tf.Tensor round trip', () => {
  const tensor = tf.randomUniform([1024, 4096], -1, 1, 'float32', 7);
  const message = overTheWire(toTensorMessage(tensor));
  expect(message.data.byteLength).toBe(16 * 1024 * 1024);
  const back = fromTensorMessage(message, { rejectNonFinite: true });
  expect(tf.max(tf.abs(tf.sub(back, tensor))).dataSync()[0]).toBe(0);
  tf.dispose([tensor, back]);
});

test('FLOAT64 is refused as a tf.Tensor, with the way out in the message', () => {
  const message = valuesToTensorMessage(Float64Array.of(1), [1], DType.DTYPE_FLOAT64);
  expect(() => fromTensorMessage(message, { name: 'sums' })).toThrow(new TensorError('DTYPE_MISMATCH', 'sums: DTYPE_FLOAT64 cannot become a tf.Tensor; send DTYPE_FLOAT32'));
});

test('validation applies before any tensor is made', () => {
  const before = tf.memory().numTensors;
  const nan = valuesToTensorMessage(Float32Array.of(0, NaN), [2], DType.DTYPE_FLOAT32);
  expect(() => fromTensorMessage(nan, { rejectNonFinite: true, name: 'images' })).toThrow('images: element 1 is NaN');
  expect(tf.memory().numTensors).toBe(before);
});

test('tf dtypes the contract lacks are refused on encode', () => {
  const words = tf.tensor(['a', 'b']);
  expect(() => toTensorMessage(words, 'labels')).toThrow('labels: tf dtype string has no Tensor message encoding (float32, int32, bool)');
  words.dispose();
});
