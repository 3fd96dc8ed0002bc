import * as tf from '@tensorflow/tfjs-core';

/** Standard deviation of all values of a tensor (pooled over points and dimensions), in float64. */
export async function pooledStd(values: tf.Tensor): Promise<number> {
  const data = await values.data();
  let sum = 0;
  let sum2 = 0;
  for (let i = 0; i < data.length; i++) {
    sum += data[i];
    sum2 += data[i] * data[i];
  }
  const mean = sum / data.length;
  return Math.sqrt(Math.max(0, sum2 / data.length - mean * mean));
}

/**
 * Spec §3: widths are set in units of each space's own std over the evaluation images,
 * σ_feature = (σ / std_x) · std_g.
 */
export function featureSigma(sigmaPixel: number, stdPixel: number, stdFeature: number): number {
  if (!(stdPixel > 0)) throw new Error(`pixel std over the points is ${stdPixel}: cannot scale σ into feature space`);
  return (sigmaPixel / stdPixel) * stdFeature;
}
