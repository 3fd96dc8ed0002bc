import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { fillStandardNormal } from './standard-normal';

beforeAll(async () => {
  await initBackend();
});

describe('fillStandardNormal', () => {
  it.each([
    [1, 1], [7, 1234567], [784, 2 ** 31 - 1], [3 * 128 + 1, 42],
  ])('draws what tf.randomNormal draws, bit for bit (%p numbers, seed %p)', (count, seed) => {
    const ours = new Float32Array(count);
    fillStandardNormal(ours, seed);
    const theirs = tf.randomNormal([count], 0, 1, 'float32', seed);
    expect(Array.from(ours)).toEqual(Array.from(theirs.dataSync()));
    theirs.dispose();
  });

  it('is standard normal and depends on the seed', () => {
    const a = new Float32Array(20_000);
    const b = new Float32Array(20_000);
    fillStandardNormal(a, 5);
    fillStandardNormal(b, 6);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.04);
    expect(a[0]).not.toBe(b[0]);
  });
});
