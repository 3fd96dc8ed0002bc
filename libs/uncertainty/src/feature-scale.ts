import type * as tf from '@tensorflow/tfjs-core';
import { valuesInPlace } from '@conjugate/backend';

/** Σv, Σv² and the number of values of a set: the pooled std of several sets from their sums. */
export interface PooledSums {
  sum: number;
  sumSquares: number;
  count: number;
}

export function pooledSums(values: ArrayLike<number>): PooledSums {
  return addToPooledSums({ sum: 0, sumSquares: 0, count: 0 }, values);
}

/** Adds `values` to running sums in order (the same float64 sums as pooledSums of all values at once). */
export function addToPooledSums(sums: PooledSums, values: ArrayLike<number>): PooledSums {
  for (let i = 0; i < values.length; i++) {
    sums.sum += values[i];
    sums.sumSquares += values[i] * values[i];
  }
  sums.count += values.length;
  return sums;
}

/** Population std over the union of the sets (float64). */
export function stdOfPooledSums(parts: PooledSums[]): number {
  const sum = parts.reduce((a, p) => a + p.sum, 0);
  const sumSquares = parts.reduce((a, p) => a + p.sumSquares, 0);
  const count = parts.reduce((a, p) => a + p.count, 0);
  const mean = sum / count;
  return Math.sqrt(Math.max(0, sumSquares / count - mean * mean));
}

/** Standard deviation of all values of a tensor (pooled over points and dimensions), in float64. */
export function pooledStd(values: tf.Tensor): number {
  return stdOfPooledSums([pooledSums(valuesInPlace(values))]);
}

/**
 * Spec §3: widths are set in units of each space's own std over the evaluation images,
 * σ_feature = (σ / std_x) · std_g.
 */
export function featureSigma(sigmaPixel: number, stdPixel: number, stdFeature: number): number {
  if (!(stdPixel > 0)) throw new Error(`pixel std over the points is ${stdPixel}: cannot scale σ into feature space`);
  return (sigmaPixel / stdPixel) * stdFeature;
}
