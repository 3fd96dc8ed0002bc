import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

/** Runs fn on the named backend and returns plain arrays (so nothing outlives the switch). */
export async function onBackend(name: 'cpu' | 'wasm', fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  const previous = tf.getBackend();
  await tf.setBackend(name);
  try {
    return tf.tidy(fn).map((t) => {
      const values = t.dataSync() as Float32Array;
      t.dispose();
      return Float32Array.from(values);
    });
  } finally {
    await tf.setBackend(previous);
  }
}

/** max |a − b| / max(max |b|, tiny): one number per tensor, the error the specs bound by 1e-4. */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  let maxDiff = 0;
  let maxRef = 1e-12;
  for (let i = 0; i < actual.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
  }
  return Number.isFinite(maxDiff) ? maxDiff / maxRef : Infinity;
}

/** Deterministic pseudo-random data (mulberry32), so cpu and wasm see identical inputs. */
export function seededValues(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  }
  return out;
}

/** A convolution case: input [B, H, W, C], filter [k, k, C, O], stride, padding. */
export type ConvCase = { name: string; x: [number, number, number, number]; f: [number, number, number, number]; stride: number; pad: 'valid' | 'same' };

/** A square conv layer as a ConvCase. */
export const convLayer = (name: string, hw: number, k: number, cin: number, cout: number, stride: number, pad: 'valid' | 'same', batch = 2): ConvCase => ({
  name,
  x: [batch, hw, hw, cin],
  f: [k, k, cin, cout],
  stride,
  pad,
});

/** Runs `step` (which must dispose what it makes) a few times: no tensor and no backend buffer may be left over. */
export function expectNoLeaks(step: () => void): void {
  step(); // first call: whatever is created once (kernel setup)
  const tensors = tf.memory().numTensors;
  const dataIds = tf.engine().backend.numDataIds();
  for (let i = 0; i < 3; i++) step();
  expect(tf.memory().numTensors).toBe(tensors);
  expect(tf.engine().backend.numDataIds()).toBe(dataIds);
}
