import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../init-backend';
import { onBackend, seededValues } from '../test-support';

// Our wasm MaxPool (2×2/2 valid as a SIMD kernel, the rest the original) against cpu. A max is
// one of its inputs, so the outputs must be equal, not merely close.
beforeAll(async () => {
  process.env.CONJUGATE_BACKEND = 'wasm';
  await initBackend();
});

type Case = { name: string; x: [number, number, number, number]; size: number; stride: number; pad: 'valid' | 'same' };

test.each<Case>([
  { name: 'small cnn pool1 at batch 128', x: [128, 26, 26, 16], size: 2, stride: 2, pad: 'valid' },
  { name: 'cnn3 pool2, odd size (last row and column unread)', x: [2, 11, 11, 64], size: 2, stride: 2, pad: 'valid' },
  { name: 'channels not a multiple of four', x: [3, 10, 9, 7], size: 2, stride: 2, pad: 'valid' },
  { name: 'one channel', x: [2, 28, 28, 1], size: 2, stride: 2, pad: 'valid' },
  { name: '3×3/2 same (original kernel)', x: [2, 9, 9, 5], size: 3, stride: 2, pad: 'same' },
  { name: '2×2/2 same on an odd size (padded: original kernel)', x: [2, 7, 7, 4], size: 2, stride: 2, pad: 'same' },
])('$name: x $x pool $size/$stride $pad', async ({ x, size, stride, pad }) => {
  const values = seededValues(x.reduce((a, b) => a * b), 11);
  const run = () => [tf.maxPool(tf.tensor4d(values, x), size, stride, pad)];
  const [cpu] = await onBackend('cpu', run);
  const [wasm] = await onBackend('wasm', run);
  expect(Array.from(wasm)).toEqual(Array.from(cpu));
});
