import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { logLossAndScore, stableLogLoss } from './log-loss';

beforeAll(async () => {
  await initBackend();
});

/** log of the cross-entropy logsumexp(z) − z_y, in float64. */
function directLogLoss(z: number[], y: number): number {
  const max = Math.max(...z);
  return Math.log(max + Math.log(z.reduce((a, v) => a + Math.exp(v - max), 0)) - z[y]);
}

describe('stableLogLoss (spec §4)', () => {
  it('equals log cross-entropy where float64 can compute it', () => {
    const logits = [[0.1, 2, -1], [3, -2, 0.5], [0, 0, 0], [8, 1, -3]];
    const labels = [1, 0, 2, 0];
    const values = tf.tidy(() => stableLogLoss(tf.tensor2d(logits), tf.tensor1d(labels, 'int32')).dataSync());
    logits.forEach((z, k) => expect(values[k]).toBeCloseTo(directLogLoss(z, labels[k]), 5));
  });

  it('stays finite for a confident correct prediction (l underflows): log l ≈ t', () => {
    const values = tf.tidy(() => stableLogLoss(tf.tensor2d([[200, 0, -50]]), tf.tensor1d([0], 'int32')).dataSync());
    expect(values[0]).toBeCloseTo(-200, 4);
  });

  it('gives finite gradients ∇ log l on both sides of t = −15', async () => {
    const model = { pointShape: [3], logLoss: (x: tf.Tensor, y: tf.Tensor1D) => stableLogLoss(x as tf.Tensor2D, y) };
    const x = tf.tensor2d([[30, 0, 1], [1, 2, 0.5]]);
    const y = tf.tensor1d([0, 1], 'int32');
    const logLoss = new Float32Array(2);
    const score = new Float32Array(6);
    logLossAndScore(model, x, y, { logLoss, score, row: 0 });
    tf.dispose([x, y]);
    expect(Array.from(score).every(Number.isFinite)).toBe(true);
    // Far below −15, log l ≈ t = logsumexp(z_j − z_y): ∂/∂z_1 = softmax weight of class 1 among j ≠ y.
    const w1 = Math.exp(-30) / (Math.exp(-30) + Math.exp(-29));
    expect(score[1]).toBeCloseTo(w1, 5);
    expect(logLoss[0]).toBeCloseTo(Math.log(Math.exp(-30) + Math.exp(-29)), 4);
  });
});
