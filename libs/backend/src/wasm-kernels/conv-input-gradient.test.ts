import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../init-backend';
import { onBackend, relativeError, seededValues } from '../test-support';

// The SIMD Conv2DBackpropInput for few input channels (assembly/conv-input-gradient.ts) against the
// cpu backend: the first conv of every model (1 or 3 image channels), strides and paddings where
// taps miss rows or columns, output channels not a multiple of 4 or 16, and the training batch.
beforeAll(async () => {
  process.env.CONJUGATE_BACKEND = 'wasm';
  await initBackend();
});

type Case = { name: string; x: [number, number, number, number]; f: [number, number, number, number]; stride: number; pad: 'valid' | 'same' };

const layer = (name: string, hw: number, k: number, cin: number, cout: number, stride: number, pad: 'valid' | 'same', batch = 2): Case => ({
  name,
  x: [batch, hw, hw, cin],
  f: [k, k, cin, cout],
  stride,
  pad,
});

const cases: Case[] = [
  layer('small cnn conv1', 28, 3, 1, 16, 1, 'valid'),
  layer('cnn3 conv1 (MNIST)', 28, 3, 1, 32, 1, 'valid'),
  layer('tiny conv1', 28, 3, 1, 8, 1, 'valid', 1),
  layer('cnn4 conv1 (CIFAR-10)', 32, 3, 3, 32, 1, 'same', 1),
  layer('resnet8 stem (CIFAR-10)', 32, 3, 3, 16, 1, 'same', 1),
  layer('stride 2 same, even size', 10, 3, 3, 16, 2, 'same'),
  layer('stride 2 same, odd size', 9, 3, 1, 16, 2, 'same'),
  layer('stride 2 valid (unused last row)', 9, 3, 3, 8, 2, 'valid'),
  layer('1×1 stride 2 (cells no tap reaches)', 8, 1, 2, 4, 2, 'same'),
  layer('6 output channels (SIMD and scalar lanes)', 12, 3, 1, 6, 1, 'valid'),
  layer('21 output channels (16, 4 and scalar steps)', 12, 3, 3, 21, 1, 'same'),
  layer('4 input channels', 10, 3, 4, 8, 1, 'same'),
  layer('training batch 128', 8, 3, 1, 16, 1, 'valid', 128),
  layer('training batch 128, 3 channels, stride 2 same', 7, 3, 3, 6, 2, 'same', 128),
  { name: 'non-square 2×3 filter, 8×10 input, stride 2', x: [3, 8, 10, 2], f: [2, 3, 2, 5], stride: 2, pad: 'same' },
  layer('5×5 filter stride 3 valid', 17, 5, 1, 3, 3, 'valid'),
];

test.each(cases)('$name: x $x filter $f stride $stride $pad', async ({ x, f, stride, pad }) => {
  const ws = seededValues(f.reduce((a, b) => a * b), 2);
  const run = () => {
    const wt = tf.tensor4d(ws, f);
    const outShape = tf.conv2d(tf.zeros(x) as tf.Tensor4D, wt, stride, pad).shape;
    const dy = tf.tensor4d(seededValues(outShape.reduce((a, b) => a * b), 3), outShape);
    return [tf.conv2dTranspose(dy, wt, x, stride, pad)];
  };
  const [cpu] = await onBackend('cpu', run);
  const [wasm] = await onBackend('wasm', run);
  expect(relativeError(wasm, cpu)).toBeLessThanOrEqual(1e-4);
});
