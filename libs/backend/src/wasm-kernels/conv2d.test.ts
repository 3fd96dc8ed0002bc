import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../init-backend';
import { type ConvCase, expectNoLeaks, onBackend, relativeError, seededValues } from '../test-support';

// Our SIMD Conv2D / FusedConv2D against the cpu backend: the
// fused bias and ReLU, 'same' padding at the borders, stride 2, 1×1 projections, an odd last
// pixel, output channels not a multiple of 16. (conv2d-gradients.test.ts checks plain Conv2D and
// the convolutions Conv2DBackpropInput runs at every model layer.)
beforeAll(async () => {
  process.env.CONJUGATE_BACKEND = 'wasm';
  await initBackend();
});

type Case = ConvCase & { activation: 'relu' | 'linear'; bias: boolean };

const cases: Case[] = [
  { name: 'cnn3 conv2, bias + relu', x: [2, 13, 13, 32], f: [3, 3, 32, 64], stride: 1, pad: 'valid', activation: 'relu', bias: true },
  { name: 'small cnn conv2 at batch 128', x: [128, 13, 13, 16], f: [3, 3, 16, 32], stride: 1, pad: 'valid', activation: 'relu', bias: true },
  { name: 'cnn4 conv2, same padding', x: [2, 16, 16, 32], f: [3, 3, 32, 32], stride: 1, pad: 'same', activation: 'relu', bias: true },
  { name: 'resnet8 stage2 conv_a, stride 2 same', x: [2, 16, 16, 16], f: [3, 3, 16, 32], stride: 2, pad: 'same', activation: 'relu', bias: true },
  { name: 'resnet8 conv_b, linear', x: [2, 8, 8, 64], f: [3, 3, 64, 64], stride: 1, pad: 'same', activation: 'linear', bias: true },
  { name: 'resnet8 projection 1×1 stride 2', x: [2, 16, 16, 16], f: [1, 1, 16, 32], stride: 2, pad: 'same', activation: 'linear', bias: true },
  { name: 'odd: 23 outputs, odd width, no bias', x: [3, 7, 9, 8], f: [3, 3, 8, 23], stride: 1, pad: 'same', activation: 'relu', bias: false },
  { name: 'first layer (MNIST), bias + relu', x: [4, 28, 28, 1], f: [3, 3, 1, 32], stride: 1, pad: 'valid', activation: 'relu', bias: true },
  { name: 'first layer (CIFAR-10), same padding', x: [2, 32, 32, 3], f: [3, 3, 3, 16], stride: 1, pad: 'same', activation: 'relu', bias: true },
  { name: 'odd: 2×3 filter, stride 2 valid, 12 outputs', x: [2, 9, 11, 10], f: [2, 3, 10, 12], stride: 2, pad: 'valid', activation: 'linear', bias: true },
];

test.each(cases)('$name: x $x filter $f stride $stride $pad $activation', async ({ x, f, stride, pad, activation, bias }) => {
  const run = () => [
    tf.fused.conv2d({
      x: tf.tensor4d(seededValues(x.reduce((a, b) => a * b), 1), x),
      filter: tf.tensor4d(seededValues(f.reduce((a, b) => a * b), 2), f),
      strides: stride,
      pad,
      bias: bias ? tf.tensor1d(seededValues(f[3], 3)) : undefined,
      activation,
    }),
  ];
  const [cpu] = await onBackend('cpu', run);
  const [wasm] = await onBackend('wasm', run);
  expect(relativeError(wasm, cpu)).toBeLessThanOrEqual(1e-4);
});

test('leaves no tensors or wasm buffers behind (its scratch rows are freed)', () => {
  const x = tf.tensor4d(seededValues(2 * 9 * 9 * 8, 4), [2, 9, 9, 8]);
  const w = tf.tensor4d(seededValues(3 * 3 * 8 * 16, 5), [3, 3, 8, 16]);
  const step = () => tf.tidy(() => void tf.conv2d(x, w, 1, 'same'));
  expectNoLeaks(step);
  tf.dispose([x, w]);
});
