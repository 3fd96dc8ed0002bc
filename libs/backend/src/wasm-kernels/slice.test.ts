import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../init-backend';
import { expectNoLeaks, onBackend, seededValues } from '../test-support';

// Our wasm Slice copies contiguous runs from the heap and hands the rest to the original kernel; both
// must give exactly what the cpu backend gives.
beforeAll(async () => {
  process.env.CONJUGATE_BACKEND = 'wasm';
  await initBackend();
});

test.each([
  { name: 'a batch of rows of a 4-d tensor (contiguous)', shape: [50, 7, 7, 2], begin: [10, 0, 0, 0], size: [16, -1, -1, -1] },
  { name: 'the last, partial batch', shape: [50, 7, 7, 2], begin: [48, 0, 0, 0], size: [-1, -1, -1, -1] },
  { name: 'rows of a matrix', shape: [300, 13], begin: [7, 0], size: [100, 13] },
  { name: 'within one row (contiguous)', shape: [4, 9], begin: [2, 3], size: [1, 5] },
  { name: 'a 1-d run', shape: [1000], begin: [17], size: [400] },
  { name: 'columns of a matrix (original kernel)', shape: [30, 13], begin: [0, 2], size: [30, 4] },
  { name: 'a window of an image (original kernel)', shape: [3, 8, 8, 2], begin: [1, 2, 2, 0], size: [2, 3, 4, 2] },
])('$name', async ({ shape, begin, size }) => {
  const values = seededValues(shape.reduce((a, b) => a * b), 5);
  const run = () => [tf.slice(tf.tensor(values, shape), begin, size)];
  const [cpu] = await onBackend('cpu', run);
  const [wasm] = await onBackend('wasm', run);
  expect(wasm).toEqual(cpu);
});

test('int32 keeps its dtype and values', () => {
  const t = tf.slice(tf.tensor1d([1, 2, 3, 4, 5], 'int32'), [1], [3]);
  expect(t.dtype).toBe('int32');
  expect(Array.from(t.dataSync())).toEqual([2, 3, 4]);
  t.dispose();
});

test('leaves no tensor or buffer behind', () => {
  const x = tf.tensor(seededValues(64 * 10, 1), [64, 10]);
  expectNoLeaks(() => tf.slice(x, [8, 0], [16, 10]).dispose());
  x.dispose();
});
