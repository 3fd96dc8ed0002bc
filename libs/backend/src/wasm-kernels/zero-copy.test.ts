import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../init-backend';

// Identity and same-dtype Cast share memory on wasm; the result must outlive its source and vice versa.
beforeAll(async () => {
  process.env.CONJUGATE_BACKEND = 'wasm';
  await initBackend();
  await tf.setBackend('wasm');
});

test('a clone keeps its values after the original is disposed, and the other way round', () => {
  const a = tf.tensor([1.5, -2, 3]);
  const b = tf.clone(a);
  expect(b.dataId).toBe(a.dataId);
  a.dispose();
  expect(Array.from(b.dataSync())).toEqual([1.5, -2, 3]);
  const c = tf.clone(b);
  c.dispose();
  expect(Array.from(b.dataSync())).toEqual([1.5, -2, 3]);
  b.dispose();
});

test('casting to the same dtype shares; casting to another converts', () => {
  const x = tf.tensor([0.25, -1.75, 2]);
  const same = tf.cast(x, 'float32');
  expect(same.dataId).toBe(x.dataId); // one buffer for both
  expect(Array.from(tf.cast(x, 'int32').dataSync())).toEqual([0, -1, 2]);
  x.dispose();
  expect(Array.from(same.dataSync())).toEqual([0.25, -1.75, 2]);
  same.dispose();
});
