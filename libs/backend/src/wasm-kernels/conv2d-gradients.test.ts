import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../init-backend';
import { type ConvCase, convLayer, expectNoLeaks, onBackend, relativeError, seededValues } from '../test-support';

// Our wasm Conv2DBackpropFilter (missing in tfjs-backend-wasm; a SIMD kernel) and Conv2DBackpropInput
// (replaced: XNNPACK instead of a direct loop) against the cpu backend, for every conv layer of our models
// (cnn3, cnn4, resnet8, tiny, the bench's small CNN): same filter, channels, stride and padding.
// The pure-JS cpu reference is very slow, so the wide layers run on a smaller spatial extent and
// batch (both parities where the padding depends on it); the cheap first layers run at full size,
// and one case runs at the training batch of 128.
beforeAll(async () => {
  process.env.CONJUGATE_BACKEND = 'wasm';
  await initBackend();
});

const cases: ConvCase[] = [
  convLayer('cnn3 conv1 / tiny conv1 / small cnn conv1', 28, 3, 1, 32, 1, 'valid'),
  convLayer('cnn3 conv2', 9, 3, 32, 64, 1, 'valid', 1),
  convLayer('cnn3 conv3', 5, 3, 64, 64, 1, 'valid', 1),
  convLayer('small cnn conv2', 13, 3, 16, 32, 1, 'valid', 1),
  convLayer('cnn4 conv1', 32, 3, 3, 32, 1, 'same', 1),
  convLayer('cnn4 conv2', 8, 3, 32, 32, 1, 'same', 1),
  convLayer('cnn4 conv3', 6, 3, 32, 64, 1, 'same', 1),
  convLayer('cnn4 conv4', 6, 3, 64, 64, 1, 'same', 1),
  convLayer('resnet8 stem', 32, 3, 3, 16, 1, 'same', 1),
  convLayer('resnet8 stage1', 10, 3, 16, 16, 1, 'same', 1),
  convLayer('resnet8 stage2 conv_a, even size', 10, 3, 16, 32, 2, 'same', 1),
  convLayer('resnet8 stage2 conv_a, odd size', 9, 3, 16, 32, 2, 'same', 1),
  convLayer('resnet8 stage2 projection', 32, 1, 16, 32, 2, 'same'),
  convLayer('resnet8 stage3 conv_a', 8, 3, 32, 64, 2, 'same', 1),
  convLayer('resnet8 stage3 conv_b', 6, 3, 64, 64, 1, 'same', 1),
  convLayer('resnet8 stage3 projection', 16, 1, 32, 64, 2, 'same', 1),
  convLayer('training batch 128', 6, 3, 2, 4, 1, 'valid', 128),
  convLayer('training batch 128, stride 2 same', 7, 3, 2, 4, 2, 'same', 128),
  convLayer('odd: 9×9 stride 2 valid (unused last row)', 9, 3, 3, 4, 2, 'valid'),
  convLayer('odd: 8×8 stride 2 same (asymmetric padding)', 8, 3, 3, 4, 2, 'same'),
  { name: 'odd: non-square 2×3 filter, 8×10 input', x: [3, 8, 10, 2], f: [2, 3, 2, 5], stride: 2, pad: 'same' },
  convLayer('odd: 5×5 filter stride 3 valid', 17, 5, 2, 3, 3, 'valid'),
  // The SIMD filter gradient takes input channels in pairs and outputs in 16s, 4s, then singly.
  convLayer('odd: 5 input channels, 23 outputs', 7, 3, 5, 23, 1, 'same', 3),
];

describe('wasm conv2d gradients equal the cpu backend (rel. err ≤ 1e-4)', () => {
  test.each(cases)('$name: x $x filter $f stride $stride $pad', async ({ x, f, stride, pad }) => {
    const xs = seededValues(x.reduce((a, b) => a * b), 1);
    const ws = seededValues(f.reduce((a, b) => a * b), 2);
    const grads = () => {
      const xt = tf.tensor4d(xs, x);
      const wt = tf.tensor4d(ws, f);
      const y = tf.conv2d(xt, wt, stride, pad);
      const r = tf.tensor(seededValues(y.size, 3), y.shape);
      const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), r));
      return [...tf.grads(loss)([xt, wt]), y];
    };
    const [dxCpu, dwCpu, yCpu] = await onBackend('cpu', grads);
    const [dxWasm, dwWasm, yWasm] = await onBackend('wasm', grads);
    expect(relativeError(yWasm, yCpu)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(dwWasm, dwCpu)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(dxWasm, dxCpu)).toBeLessThanOrEqual(1e-4);
  });

  test('leaves no tensors or wasm buffers behind', () => {
    const x = tf.tensor4d(seededValues(2 * 9 * 9 * 3, 4), [2, 9, 9, 3]);
    const w = tf.tensor4d(seededValues(3 * 3 * 3 * 4, 5), [3, 3, 3, 4]);
    const step = () =>
      tf.tidy(() => {
        tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')))([x, w]);
      });
    expectNoLeaks(step);
    tf.dispose([x, w]);
  });
});
