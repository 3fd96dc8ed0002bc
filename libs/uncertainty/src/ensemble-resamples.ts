import * as tf from '@tensorflow/tfjs-core';
import type { EnsembleInputs, EnsembleMoments } from './ensemble-moments';

/**
 * The ensemble moments of R bootstrap resamples at once, as matrix products: with A[r, j] = c_rj · w_j
 * (multiplicity times weight, w_j = exp(2 log l_j − ref)) every resample sum Σ_j c_rj w_j q_j of a per-point
 * quantity q is row r of A·Q. Q holds x and s centred on the group's own weighted means (`center`), so the
 * float32 products lose no precision to cancellation in Δx² = ⟨x̃²⟩ − ⟨x̃⟩²; the scalar sums (Σ c w,
 * Σ c w²) stay in float64. One pass in float64 JS loops costs M·D per resample; this is R·M·D
 * multiply-adds in the backend's matrix kernel.
 */
export interface EnsembleResampler {
  /** Moments of each resample, given the multiplicities [R, n] of the members (row-major). */
  moments(counts: Float32Array, resamples: number): EnsembleMoments[];
  dispose(): void;
}

export function ensembleResampler(inputs: EnsembleInputs, members: number[], center: EnsembleMoments): EnsembleResampler {
  let ref = -Infinity;
  for (const m of members) ref = Math.max(ref, 2 * inputs.logLoss[m]);
  const weight = Float64Array.from(members, (m) => Math.exp(2 * inputs.logLoss[m] - ref));
  const quantities = centredQuantities(inputs, members, center);
  return {
    moments: (counts, resamples) => resampleMoments(counts, resamples, weight, quantities, center),
    dispose: () => tf.dispose(quantities),
  };
}

/** The members' centred quantities x̃, x̃², s̃, s̃² as [n, D] tensors. */
function centredQuantities(inputs: EnsembleInputs, members: number[], center: EnsembleMoments): tf.Tensor2D[] {
  const D = inputs.dimensions;
  const n = members.length;
  const quantities = [0, 1, 2, 3].map(() => new Float32Array(n * D));
  for (let j = 0; j < n; j++) {
    const row = members[j] * D;
    for (let i = 0; i < D; i++) {
      const x = inputs.points[row + i] - center.meanX[i];
      const s = inputs.scores[row + i] - center.meanP[i];
      const k = j * D + i;
      quantities[0][k] = x;
      quantities[1][k] = x * x;
      quantities[2][k] = s;
      quantities[3][k] = s * s;
    }
  }
  return quantities.map((q) => tf.tensor2d(q, [n, D]));
}

function resampleMoments(counts: Float32Array, resamples: number, weight: Float64Array, quantities: tf.Tensor2D[], center: EnsembleMoments): EnsembleMoments[] {
  const [n, D] = quantities[0].shape;
  const scaled = new Float32Array(resamples * n);
  const sumW = new Float64Array(resamples);
  const sumW2 = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let j = 0; j < n; j++) {
      const cw = counts[r * n + j] * weight[j];
      scaled[r * n + j] = cw;
      sumW[r] += cw;
      sumW2[r] += cw * weight[j];
    }
  }

  const [sumX, sumX2, sumS, sumS2] = tf.tidy(() => {
    const a = tf.tensor2d(scaled, [resamples, n]);
    return quantities.map((q) => tf.matMul(a, q));
  }).map((t) => {
    const values = t.dataSync() as Float32Array;
    t.dispose();
    return values;
  });

  return Array.from({ length: resamples }, (_, r) => {
    const w = sumW[r];
    const sumOmega2 = sumW2[r] / (w * w);
    const dx = new Float64Array(D);
    const dp = new Float64Array(D);
    const meanX = new Float64Array(D);
    const meanP = new Float64Array(D);
    for (let i = 0; i < D; i++) {
      const k = r * D + i;
      const mx = sumX[k] / w;
      const ms = sumS[k] / w;
      meanX[i] = center.meanX[i] + mx;
      meanP[i] = center.meanP[i] + ms;
      dx[i] = Math.sqrt(Math.max(0, sumX2[k] / w - mx * mx) / (1 - sumOmega2));
      dp[i] = Math.sqrt(Math.max(0, sumS2[k] / w - ms * ms));
    }
    return { dx, dp, meanX, meanP, ess: 1 / sumOmega2 };
  });
}
