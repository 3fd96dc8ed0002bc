import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../init-backend';
import { type ConvCase, convLayer, onBackend, relativeError, seededValues } from '../test-support';

// The SIMD Conv2DBackpropInput for few input channels (assembly/conv-input-gradient.ts) against the
// cpu backend: the first conv of every model (1 or 3 image channels), strides and paddings where
// taps miss rows or columns, output channels not a multiple of 4 or 16, and the training batch.
beforeAll(async () => {
  process.env.CONJUGATE_BACKEND = 'wasm';
  await initBackend();
});

const cases: ConvCase[] = [
  convLayer('small cnn conv1', 28, 3, 1, 16, 1, 'valid'),
  convLayer('cnn3 conv1 (MNIST)', 28, 3, 1, 32, 1, 'valid'),
  convLayer('tiny conv1', 28, 3, 1, 8, 1, 'valid', 1),
  convLayer('cnn4 conv1 (CIFAR-10)', 32, 3, 3, 32, 1, 'same', 1),
  convLayer('resnet8 stem (CIFAR-10)', 32, 3, 3, 16, 1, 'same', 1),
  convLayer('stride 2 same, even size', 10, 3, 3, 16, 2, 'same'),
  convLayer('stride 2 same, odd size', 9, 3, 1, 16, 2, 'same'),
  convLayer('stride 2 valid (unused last row)', 9, 3, 3, 8, 2, 'valid'),
  convLayer('1×1 stride 2 (cells no tap reaches)', 8, 1, 2, 4, 2, 'same'),
  convLayer('6 output channels (SIMD and scalar lanes)', 12, 3, 1, 6, 1, 'valid'),
  convLayer('21 output channels (16, 4 and scalar steps)', 12, 3, 3, 21, 1, 'same'),
  convLayer('4 input channels', 10, 3, 4, 8, 1, 'same'),
  convLayer('training batch 128', 8, 3, 1, 16, 1, 'valid', 128),
  convLayer('training batch 128, 3 channels, stride 2 same', 7, 3, 3, 6, 2, 'same', 128),
  { name: 'non-square 2×3 filter, 8×10 input, stride 2', x: [3, 8, 10, 2], f: [2, 3, 2, 5], stride: 2, pad: 'same' },
  convLayer('5×5 filter stride 3 valid', 17, 5, 1, 3, 3, 'valid'),
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
