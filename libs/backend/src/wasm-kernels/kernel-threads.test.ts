import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../init-backend';
import { onBackend, relativeError, seededValues } from '../test-support';
import { KernelThreads, splitRange } from './kernel-threads';
import { setKernelThreads } from './simd-module';

// CONJUGATE_KERNEL_THREADS=2: our kernels split each large call between this thread and a helper on
// the backend's shared memory. Every part computes what one call would: the same bits as 1 thread.
beforeAll(async () => {
  process.env.CONJUGATE_BACKEND = 'wasm';
  process.env.CONJUGATE_KERNEL_THREADS = '2';
  const info = await initBackend();
  expect(info.kernelThreads).toBe(2);
});

/** A cnn3-like training step's kernels: conv (bias, ReLU), max-pool, and all their gradients, for 6 images (enough work to split). */
function convStepGradients(): tf.Tensor[] {
  const x = tf.tensor4d(seededValues(6 * 28 * 28, 1), [6, 28, 28, 1]);
  const w1 = tf.tensor4d(seededValues(3 * 3 * 1 * 32, 2), [3, 3, 1, 32]);
  const w2 = tf.tensor4d(seededValues(3 * 3 * 32 * 64, 3), [3, 3, 32, 64]);
  const b2 = tf.tensor1d(seededValues(64, 4));
  return tf.grads((image: tf.Tensor, first: tf.Tensor, second: tf.Tensor, bias: tf.Tensor) => {
    const h1 = tf.maxPool(tf.relu(tf.conv2d(image as tf.Tensor4D, first as tf.Tensor4D, 1, 'valid')), 2, 2, 'valid');
    const h2 = tf.fused.conv2d({ x: h1, filter: second as tf.Tensor4D, strides: 1, pad: 'valid', bias, activation: 'relu' });
    return tf.sum(tf.square(h2));
  })([x, w1, w2, b2]);
}

test('split calls give the same bits as one thread, and match the cpu backend', async () => {
  const run = jest.spyOn(KernelThreads.prototype, 'run');
  const twoThreads = await onBackend('wasm', convStepGradients);
  expect(run.mock.calls.length).toBeGreaterThanOrEqual(4); // conv, pool, their gradients went to the helper
  run.mockClear();
  setKernelThreads(1);
  try {
    const oneThread = await onBackend('wasm', convStepGradients);
    expect(run).not.toHaveBeenCalled();
    twoThreads.forEach((values, i) => expect(Buffer.from(values.buffer).equals(Buffer.from(oneThread[i].buffer))).toBe(true));
  } finally {
    setKernelThreads(2);
  }
  const cpu = await onBackend('cpu', convStepGradients);
  twoThreads.forEach((values, i) => expect(relativeError(values, cpu[i])).toBeLessThanOrEqual(1e-4));
});

test('a helper that is gone leaves its parts to the calling thread: same bits', async () => {
  const run = jest.spyOn(KernelThreads.prototype, 'run');
  const expected = await onBackend('wasm', convStepGradients);
  const pool = run.mock.contexts[0] as unknown as { helpers: { gone: boolean }[] };
  const send = jest.spyOn(KernelThreads.prototype as unknown as { send: () => void }, 'send');
  pool.helpers[0].gone = true;
  try {
    const alone = await onBackend('wasm', convStepGradients);
    expect(send).not.toHaveBeenCalled();
    alone.forEach((values, i) => expect(Buffer.from(values.buffer).equals(Buffer.from(expected[i].buffer))).toBe(true));
  } finally {
    pool.helpers[0].gone = false;
  }
});

test('ranges cover [0, n) in whole units, never more parts than units', () => {
  expect(splitRange(10, 2)).toEqual([[0, 5], [5, 10]]);
  expect(splitRange(32, 2, 2)).toEqual([[0, 16], [16, 32]]);
  expect(splitRange(3, 2, 2)).toEqual([[0, 2], [2, 3]]);
  expect(splitRange(1, 4)).toEqual([[0, 1]]);
  expect(splitRange(7, 3)).toEqual([[0, 2], [2, 4], [4, 7]]);
});

test('a bad kernel thread count is a clear error', async () => {
  process.env.CONJUGATE_KERNEL_THREADS = '0';
  jest.resetModules();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fresh = require('../init-backend') as typeof import('../init-backend');
  await expect(fresh.initBackend()).rejects.toThrow('CONJUGATE_KERNEL_THREADS must be an integer from 1 to 8; got "0"');
});
