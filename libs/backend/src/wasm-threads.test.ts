import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './init-backend';
import { onBackend, relativeError, seededValues } from './test-support';

// CONJUGATE_WASM_THREADS=2 starts the multithreaded wasm build under Node (XNNPACK on 2 threads),
// and its results still equal the cpu backend's.
beforeAll(() => {
  process.env.CONJUGATE_BACKEND = 'wasm';
  process.env.CONJUGATE_WASM_THREADS = '2';
});

test('the wasm backend runs on 2 threads and computes conv gradients like cpu', async () => {
  const info = await initBackend();
  expect(info.threads).toBe(2);
  const grads = () => {
    const x = tf.tensor4d(seededValues(4 * 13 * 13 * 16, 1), [4, 13, 13, 16]);
    const w = tf.tensor4d(seededValues(3 * 3 * 16 * 32, 2), [3, 3, 16, 32]);
    return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid'))))([x, w]);
  };
  const cpu = await onBackend('cpu', grads);
  const wasm = await onBackend('wasm', grads);
  expect(relativeError(wasm[0], cpu[0])).toBeLessThanOrEqual(1e-4);
  expect(relativeError(wasm[1], cpu[1])).toBeLessThanOrEqual(1e-4);
});

test('a bad thread count is a clear error', async () => {
  process.env.CONJUGATE_WASM_THREADS = 'many';
  jest.resetModules();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fresh = require('./init-backend') as typeof import('./init-backend');
  await expect(fresh.initBackend()).rejects.toThrow('CONJUGATE_WASM_THREADS must be an integer from 1 to 8; got "many"');
});
