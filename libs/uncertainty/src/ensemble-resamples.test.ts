import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { ensembleMoments, type EnsembleInputs, type EnsembleMoments } from './ensemble-moments';
import { combineResampleSums, ensembleResampler, momentsOfResamples } from './ensemble-resamples';
import { poissonCounts } from './poisson-bootstrap';

beforeAll(async () => {
  await initBackend();
});

/** Points far from 0 with a small spread (where Σx² − (Σx)² would cancel in float32), log-losses over 8 orders of magnitude. */
function inputs(M: number, D: number): EnsembleInputs {
  const points = Float32Array.from({ length: M * D }, (_, k) => 0.9 + 0.01 * Math.sin(13 * k));
  const scores = Float32Array.from({ length: M * D }, (_, k) => 3 + 2 * Math.cos(7 * k));
  const logLoss = Float32Array.from({ length: M }, (_, m) => -9 * ((m * 37) % M) / M);
  return { points, scores, logLoss, dimensions: D };
}

/** Float32 products against float64 sums: the same moments to 4–6 digits. */
function expectSameMoments(resampled: EnsembleMoments, direct: EnsembleMoments) {
  expect(resampled.ess / direct.ess).toBeCloseTo(1, 6);
  for (let i = 0; i < direct.dx.length; i++) {
    expect(resampled.dx[i] / direct.dx[i]).toBeCloseTo(1, 4);
    expect(resampled.dp[i] / direct.dp[i]).toBeCloseTo(1, 4);
    expect(resampled.meanX[i]).toBeCloseTo(direct.meanX[i], 6);
    expect(resampled.meanP[i]).toBeCloseTo(direct.meanP[i], 5);
  }
}

describe('ensemble moments of bootstrap resamples as matrix products', () => {
  it('equal the float64 moments of the same multiplicities', () => {
    const data = inputs(300, 7);
    const members = Array.from({ length: 300 }, (_, m) => m).filter((m) => m % 4 !== 1);
    const center = ensembleMoments(data, members);
    const counts = poissonCounts(11, 5, members);
    const before = tf.memory().numTensors;
    const resampler = ensembleResampler(data, members, center);
    const resampled = momentsOfResamples(resampler.sums(counts, 5));
    resampler.dispose();
    expect(tf.memory().numTensors).toBe(before);
    for (let r = 0; r < 5; r++) {
      expectSameMoments(resampled[r], ensembleMoments(data, members, counts.subarray(r * members.length, (r + 1) * members.length)));
    }
  });

  it('of disjoint groups combine into those of their union (rescaled to one reference, moved to one centre)', () => {
    const data = inputs(300, 7);
    const all = Array.from({ length: 300 }, (_, m) => m);
    const groups = [0, 1, 2].map((g) => all.filter((m) => m % 3 === g));
    const center = ensembleMoments(data, all);
    // The union's multiplicities are the groups' (a point's count depends only on seed, resample and id).
    const parts = groups.map((members) => {
      const resampler = ensembleResampler(data, members, ensembleMoments(data, members));
      const sums = resampler.sums(poissonCounts(11, 5, members), 5);
      resampler.dispose();
      return sums;
    });
    const combined = momentsOfResamples(combineResampleSums(parts, center));
    const counts = poissonCounts(11, 5, all);
    for (let r = 0; r < 5; r++) {
      expectSameMoments(combined[r], ensembleMoments(data, all, counts.subarray(r * 300, (r + 1) * 300)));
    }
  });
});
