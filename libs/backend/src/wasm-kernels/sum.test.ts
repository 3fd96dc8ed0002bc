import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../init-backend';
import { onBackend, relativeError, seededValues } from '../test-support';

// Our wasm Sum takes reductions over leading axes (bias gradients) and hands the rest to the
// original kernel; both paths must agree with cpu.
beforeAll(async () => {
  process.env.CONJUGATE_BACKEND = 'wasm';
  await initBackend();
});

test.each([
  { name: 'conv bias gradient [B,H,W,C] over B,H,W', shape: [16, 26, 26, 32], axis: [0, 1, 2], keepDims: false },
  { name: 'small cnn conv1 bias gradient at batch 128', shape: [128, 26, 26, 16], axis: [0, 1, 2], keepDims: false },
  { name: 'small cnn conv2 bias gradient at batch 128', shape: [128, 11, 11, 32], axis: [0, 1, 2], keepDims: false },
  { name: 'dense bias gradient [B,C] over B', shape: [128, 10], axis: [0], keepDims: false },
  { name: 'width with a 3-column remainder, several row blocks', shape: [5000, 7], axis: [0], keepDims: false },
  { name: 'sixteen-, four- and one-column strips, several row blocks', shape: [600, 23], axis: [0], keepDims: false },
  { name: 'rows wider than a block', shape: [6, 20001], axis: [0], keepDims: false },
  { name: 'leading axes given unsorted, keepDims', shape: [4, 5, 6], axis: [1, 0], keepDims: true },
  { name: 'trailing axis (original kernel)', shape: [4, 5, 6], axis: [2], keepDims: false },
  { name: 'all axes (original kernel)', shape: [4, 5, 6], axis: [0, 1, 2], keepDims: false },
  { name: 'middle axis (original kernel)', shape: [4, 5, 6], axis: [1], keepDims: true },
])('$name', async ({ shape, axis, keepDims }) => {
  const values = seededValues(shape.reduce((a, b) => a * b), 9);
  const run = () => [tf.sum(tf.tensor(values, shape), axis, keepDims)];
  const [cpu] = await onBackend('cpu', run);
  const [wasm] = await onBackend('wasm', run);
  expect(relativeError(wasm, cpu)).toBeLessThanOrEqual(1e-4);
  const shapes = await Promise.all(['cpu', 'wasm'].map(async (b) => {
    await tf.setBackend(b);
    const t = tf.sum(tf.zeros(shape), axis, keepDims);
    const s = t.shape;
    t.dispose();
    return s;
  }));
  expect(shapes[1]).toEqual(shapes[0]);
});

test('int32 sums keep their dtype (original kernel)', () => {
  const t = tf.sum(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), 0);
  expect(t.dtype).toBe('int32');
  expect(Array.from(t.dataSync())).toEqual([4, 6]);
  t.dispose();
});
