import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './init-backend';
import { readInto, valuesInPlace } from './tensor-values';
import { seededValues } from './test-support';

beforeAll(async () => {
  process.env.CONJUGATE_BACKEND = 'wasm';
  await initBackend();
});

test.each(['wasm', 'cpu'])('on %s: the values land at the offset, the rest of the target untouched', async (backend) => {
  await tf.setBackend(backend);
  try {
    const values = seededValues(12, 5);
    const target = new Float32Array(20).fill(-7);
    const x = tf.tensor2d(values, [3, 4]);
    const y = tf.tensor1d([3, 1, 4], 'int32');
    readInto(x, target, 5);
    readInto(y, target, 17);
    tf.dispose([x, y]);
    expect(Array.from(target.subarray(5, 17))).toEqual(Array.from(values));
    expect(Array.from(target.subarray(17))).toEqual([3, 1, 4]);
    expect(Array.from(target.subarray(0, 5))).toEqual([-7, -7, -7, -7, -7]);
  } finally {
    await tf.setBackend('wasm');
  }
});

test('a target too short is a clear error, not a partial copy', () => {
  const x = tf.ones([2, 3]);
  const target = new Float32Array(8);
  expect(() => readInto(x, target, 3)).toThrow('readInto: 6 values from 3 do not fit a target of 8');
  expect(Array.from(target)).toEqual(new Array(8).fill(0));
  x.dispose();
});

test.each(['wasm', 'cpu'])('on %s: values in place are the values dataSync copies', async (backend) => {
  await tf.setBackend(backend);
  try {
    const x = tf.tensor3d(seededValues(24, 9), [2, 3, 4]);
    const y = tf.mul(x, 2); // an op's output, not an uploaded tensor
    expect(Array.from(valuesInPlace(y))).toEqual(Array.from(y.dataSync()));
    tf.dispose([x, y]);
  } finally {
    await tf.setBackend('wasm');
  }
});
