import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../init-backend';
import { onBackend, relativeError, seededValues } from '../test-support';

// Our wasm MaxPoolGrad (replaces the backend's) against cpu: the models' 2×2/2 pools, plus
// overlapping and padded windows, and ties (ReLU zeros), where the first maximum must win.
beforeAll(async () => {
  process.env.CONJUGATE_BACKEND = 'wasm';
  await initBackend();
});

type Case = { name: string; x: [number, number, number, number]; size: number; stride: number; pad: 'valid' | 'same'; relu: boolean };

const cases: Case[] = [
  { name: 'cnn3 pool1 (after ReLU)', x: [2, 26, 26, 32], size: 2, stride: 2, pad: 'valid', relu: true },
  { name: 'cnn3 pool2, odd size', x: [2, 11, 11, 64], size: 2, stride: 2, pad: 'valid', relu: true },
  { name: 'cnn4 pool2', x: [2, 16, 16, 64], size: 2, stride: 2, pad: 'valid', relu: true },
  { name: 'training batch 128', x: [128, 6, 6, 8], size: 2, stride: 2, pad: 'valid', relu: true },
  { name: 'small cnn pool1', x: [32, 26, 26, 16], size: 2, stride: 2, pad: 'valid', relu: true },
  { name: 'small cnn pool2, odd size', x: [32, 11, 11, 32], size: 2, stride: 2, pad: 'valid', relu: true },
  { name: 'channels not a multiple of four (SIMD and scalar lanes)', x: [3, 10, 9, 7], size: 2, stride: 2, pad: 'valid', relu: true },
  { name: 'one channel', x: [2, 28, 28, 1], size: 2, stride: 2, pad: 'valid', relu: true },
  { name: 'overlapping 3×3/2 same', x: [2, 9, 9, 5], size: 3, stride: 2, pad: 'same', relu: false },
  { name: 'overlapping 3×3/1 valid with ties', x: [2, 7, 7, 3], size: 3, stride: 1, pad: 'valid', relu: true },
];

test.each(cases)('$name: x $x pool $size/$stride $pad', async ({ x, size, stride, pad, relu }) => {
  const xs = seededValues(x.reduce((a, b) => a * b), 7);
  const run = () => {
    const input = tf.tensor4d(xs, x);
    const pooled = tf.maxPool(relu ? tf.relu(input) : input, size, stride, pad);
    const r = tf.tensor(seededValues(pooled.size, 8), pooled.shape);
    return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(relu ? tf.relu(a as tf.Tensor4D) : (a as tf.Tensor4D), size, stride, pad), r)))(input)];
  };
  const [cpu] = await onBackend('cpu', run);
  const [wasm] = await onBackend('wasm', run);
  expect(relativeError(wasm, cpu)).toBeLessThanOrEqual(1e-4);
});

test('an all-zero window sends its gradient to its first pixel only', async () => {
  const [dx] = await onBackend('wasm', () => [
    tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')))(tf.zeros([1, 2, 2, 1])),
  ]);
  expect(Array.from(dx)).toEqual([1, 0, 0, 0]);
});

test('a window with a repeated nonzero maximum sends its gradient to the first one only', async () => {
  const [dx] = await onBackend('wasm', () => [
    tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), 3)))(tf.tensor4d([1, 5, 5, 2], [1, 2, 2, 1])),
  ]);
  expect(Array.from(dx)).toEqual([0, 3, 0, 0]);
});

test('ties are decided per channel inside one SIMD step', async () => {
  // Four channels, one 2×2 window; channel k's first maximum sits at cell k (row-major), later cells tie.
  const cells = [
    [7, 0, 0, 0],
    [7, 7, 0, 0],
    [7, 7, 7, 0],
    [7, 7, 7, 7],
  ];
  const [dx] = await onBackend('wasm', () => [
    tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), tf.tensor1d([1, 2, 3, 4]))))(tf.tensor4d(cells.flat(), [1, 2, 2, 4])),
  ]);
  expect(Array.from(dx)).toEqual([1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 4]);
});
