import type * as tf from '@tensorflow/tfjs-core';
import { RunningMoments } from '@conjugate/attacks';

/** Standard deviation of all values of a tensor (pooled over points and dimensions), in float64. */
export function pooledStd(values: tf.Tensor): number {
  return new RunningMoments().add(values).std;
}

/**
 * Spec §3: widths are set in units of each space's own std over the evaluation images,
 * σ_feature = (σ / std_x) · std_g.
 */
export function featureSigma(sigmaPixel: number, stdPixel: number, stdFeature: number): number {
  if (!(stdPixel > 0)) throw new Error(`pixel std over the points is ${stdPixel}: cannot scale σ into feature space`);
  return (sigmaPixel / stdPixel) * stdFeature;
}
