import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './init-backend';
import { reluGradient } from './relu-gradient';
import { onBackend, seededValues } from './test-support';

// reluGradient: one SIMD kernel on wasm, dy · step(y) elsewhere; both must give exactly dy · step(y).
beforeAll(async () => {
  process.env.CONJUGATE_BACKEND = 'wasm';
  await initBackend();
});

test.each([
  { name: 'small cnn conv1 activations', shape: [8, 26, 26, 16] },
  { name: 'a length with a remainder after the SIMD steps', shape: [3, 7] },
])('$name: equals dy · step(y) on cpu, exactly', async ({ shape }) => {
  const size = shape.reduce((a, b) => a * b);
  const dy = seededValues(size, 21);
  // Half the outputs exactly zero, as after a ReLU.
  const y = seededValues(size, 22).map((v) => Math.max(v, 0));
  const expected = await onBackend('cpu', () => [tf.mul(tf.tensor(dy, shape), tf.step(tf.tensor(y, shape)))]);
  const [wasm] = await onBackend('wasm', () => [reluGradient(tf.tensor(dy, shape), tf.tensor(y, shape))]);
  const [cpu] = await onBackend('cpu', () => [reluGradient(tf.tensor(dy, shape), tf.tensor(y, shape))]);
  // Equal values (−0 from a negative dy times 0 counts as 0); a toEqual over ~10⁵ numbers would take minutes.
  const differing = (values: Float32Array) => values.filter((v, i) => v !== expected[0][i]).length;
  expect(differing(wasm)).toBe(0);
  expect(differing(cpu)).toBe(0);
});

test('a NaN output passes NaN on, as dy · step(y) does; negative zero and zero pass nothing', async () => {
  const [dx] = await onBackend('wasm', () => [reluGradient(tf.tensor1d([1, 2, 3, 4, 5]), tf.tensor1d([NaN, 0, -0, 0.5, -1]))]);
  expect(Array.from(dx)).toEqual([NaN, 0, 0, 4, 0]);
});

test('a gradient of the gradient goes through the same mask', async () => {
  const y = tf.tensor1d([0, 2, 0, 3]);
  const [g] = await onBackend('wasm', () => [tf.grad((dy: tf.Tensor) => tf.sum(tf.mul(reluGradient(dy, y), tf.tensor1d([1, 2, 3, 4]))))(tf.ones([4]))]);
  expect(Array.from(g)).toEqual([0, 2, 0, 4]);
  y.dispose();
});
