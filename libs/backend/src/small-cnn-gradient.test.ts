import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './init-backend';
import { onBackend, relativeError, seededValues } from './test-support';

// The small CNN of the benchmarks (conv16-conv32-dense10 on 28×28×1) and a strided, same-padded,
// avg-pooled variant: every parameter's gradient and the input gradient on wasm must match cpu.
beforeAll(async () => {
  process.env.CONJUGATE_BACKEND = 'wasm';
  await initBackend();
});

const batch = 3;
const shapes: Record<string, number[]> = { w1: [3, 3, 1, 16], b1: [16], w2: [3, 3, 16, 32], b2: [32], w3: [800, 10], b3: [10] };

function lossOf(style: 'pool' | 'strided') {
  return (x: tf.Tensor4D, labels: tf.Tensor2D, p: Record<string, tf.Tensor>): tf.Scalar => {
    const convRelu = (input: tf.Tensor4D, w: tf.Tensor, b: tf.Tensor, stride: number, pad: 'valid' | 'same') =>
      tf.relu(tf.add(tf.conv2d(input, w as tf.Tensor4D, stride, pad), b)) as tf.Tensor4D;
    let h: tf.Tensor4D;
    if (style === 'pool') {
      h = tf.maxPool(convRelu(x, p.w1, p.b1, 1, 'valid'), 2, 2, 'valid');
      h = tf.maxPool(convRelu(h, p.w2, p.b2, 1, 'valid'), 2, 2, 'valid');
    } else {
      h = convRelu(x, p.w1, p.b1, 2, 'same');
      h = tf.avgPool(convRelu(h, p.w2, p.b2, 2, 'same'), 2, 1, 'valid');
    }
    const logits = tf.add(tf.matMul(tf.reshape(h, [batch, -1]), p.w3), p.b3);
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  };
}

describe.each(['pool', 'strided'] as const)('small CNN (%s) gradients on wasm equal cpu', (style) => {
  test('every parameter and the input', async () => {
    const names = Object.keys(shapes);
    const run = () => {
      const x = tf.tensor4d(seededValues(batch * 28 * 28, 10).map((v) => v + 0.5), [batch, 28, 28, 1]);
      const labels = tf.oneHot(tf.tensor1d([1, 7, 3], 'int32'), 10) as tf.Tensor2D;
      const params = names.map((n, i) => tf.tensor(seededValues(shapes[n].reduce((a, b) => a * b), 20 + i).map((v) => v * 0.3), shapes[n]));
      // Flatten w3 to whatever the style produces (800 for pool, 7·7·32 for strided).
      const flat = style === 'pool' ? 800 : 6 * 6 * 32;
      params[4] = tf.tensor(seededValues(flat * 10, 24).map((v) => v * 0.1), [flat, 10]);
      const loss = lossOf(style);
      const grads = tf.grads((...args: tf.Tensor[]) =>
        loss(args[0] as tf.Tensor4D, labels, Object.fromEntries(names.map((n, i) => [n, args[i + 1]]))),
      )([x, ...params]);
      return grads;
    };
    const cpu = await onBackend('cpu', run);
    const wasm = await onBackend('wasm', run);
    const errors = Object.fromEntries(['input', ...names].map((n, i) => [n, relativeError(wasm[i], cpu[i])]));
    for (const [name, error] of Object.entries(errors)) expect([name, error <= 1e-4]).toEqual([name, true]);
  });
});
