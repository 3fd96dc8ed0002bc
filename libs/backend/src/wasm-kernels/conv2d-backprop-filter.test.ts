import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../init-backend';
import { onBackend, relativeError, seededValues } from '../test-support';

beforeAll(async () => {
  process.env.CONJUGATE_BACKEND = 'wasm';
  await initBackend();
});

type Case = { x: [number, number, number, number]; f: [number, number, number, number]; stride: number; pad: 'valid' | 'same' };

const cases: Case[] = [
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], stride: 1, pad: 'valid' },
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], stride: 2, pad: 'valid' },
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], stride: 2, pad: 'same' },
  { x: [3, 8, 10, 2], f: [2, 3, 2, 5], stride: 2, pad: 'valid' },
  { x: [3, 8, 10, 2], f: [2, 3, 2, 5], stride: 2, pad: 'same' },
  { x: [2, 8, 8, 4], f: [1, 1, 4, 3], stride: 2, pad: 'same' },
];

describe('wasm Conv2DBackpropFilter equals the cpu backend', () => {
  test.each(cases)('x $x filter $f stride $stride pad $pad', async ({ x, f, stride, pad }) => {
    const xs = seededValues(x.reduce((a, b) => a * b), 1);
    const ws = seededValues(f.reduce((a, b) => a * b), 2);
    const grads = () => {
      const xt = tf.tensor4d(xs, x);
      const wt = tf.tensor4d(ws, f);
      const y = tf.conv2d(xt, wt, stride, pad);
      const r = tf.tensor(seededValues(y.size, 3), y.shape);
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), r)))([xt, wt]);
      return [dx, dw];
    };
    const [dxCpu, dwCpu] = await onBackend('cpu', grads);
    const [dxWasm, dwWasm] = await onBackend('wasm', grads);
    expect(relativeError(dwWasm, dwCpu)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(dxWasm, dxCpu)).toBeLessThanOrEqual(1e-4);
  });

  test('leaves no tensors or wasm buffers behind', () => {
    const x = tf.tensor4d(seededValues(2 * 9 * 9 * 3, 4), [2, 9, 9, 3]);
    const w = tf.tensor4d(seededValues(3 * 3 * 3 * 4, 5), [3, 3, 3, 4]);
    const before = tf.memory().numTensors;
    const dataIdsBefore = tf.engine().backend.numDataIds();
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => {
        tf.grad((b: tf.Tensor) => tf.sum(tf.conv2d(x, b as tf.Tensor4D, 2, 'same')))(w);
      });
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.engine().backend.numDataIds()).toBe(dataIdsBefore);
    tf.dispose([x, w]);
  });
});
