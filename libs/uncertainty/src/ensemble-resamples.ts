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
  /** Sums of each resample, given the multiplicities [R, n] of the members (row-major). */
  sums(counts: Float32Array, resamples: number): ResampleSums;
  dispose(): void;
}

/**
 * Per resample r: Σ c w and Σ c w² ([R]), and Σ c w q for q = x̃, x̃², s̃, s̃² ([R, D] each), with
 * w = exp(2 log l − ref) and x̃ = x − meanX, s̃ = s − meanP about the given centre. Sums of disjoint groups
 * of points combine exactly into those of their union (combineResampleSums).
 */
export interface ResampleSums {
  ref: number;
  meanX: Float64Array;
  meanP: Float64Array;
  sumW: Float64Array;
  sumW2: Float64Array;
  sumX: Float64Array;
  sumX2: Float64Array;
  sumS: Float64Array;
  sumS2: Float64Array;
}

export function ensembleResampler(inputs: EnsembleInputs, members: number[], center: EnsembleMoments): EnsembleResampler {
  let ref = -Infinity;
  for (const m of members) ref = Math.max(ref, 2 * inputs.logLoss[m]);
  const weight = Float64Array.from(members, (m) => Math.exp(2 * inputs.logLoss[m] - ref));
  const quantities = centredQuantities(inputs, members, center);
  return {
    sums: (counts, resamples) => resampleSums(counts, resamples, weight, quantities, ref, center),
    dispose: () => tf.dispose(quantities),
  };
}

/**
 * The sums of the union of disjoint groups (the classes → all points), about `center` with the largest
 * reference: each part is rescaled by exp(ref_part − ref) and moved to the new centre in float64
 * (Σ w (x − c) = Σ w x̃ + W d, Σ w (x − c)² = Σ w x̃² + 2 d Σ w x̃ + W d², d = centre_part − c).
 */
export function combineResampleSums(parts: ResampleSums[], center: Pick<EnsembleMoments, 'meanX' | 'meanP'>): ResampleSums {
  const R = parts[0].sumW.length;
  const D = center.meanX.length;
  const ref = Math.max(...parts.map((p) => p.ref));
  const total: ResampleSums = {
    ref, meanX: Float64Array.from(center.meanX), meanP: Float64Array.from(center.meanP),
    sumW: new Float64Array(R), sumW2: new Float64Array(R),
    sumX: new Float64Array(R * D), sumX2: new Float64Array(R * D), sumS: new Float64Array(R * D), sumS2: new Float64Array(R * D),
  };
  for (const part of parts) {
    const k = Math.exp(part.ref - ref);
    if (k === 0) continue;
    const dX = Float64Array.from(center.meanX, (c, i) => part.meanX[i] - c);
    const dS = Float64Array.from(center.meanP, (c, i) => part.meanP[i] - c);
    for (let r = 0; r < R; r++) {
      const w = k * part.sumW[r];
      total.sumW[r] += w;
      total.sumW2[r] += k * k * part.sumW2[r];
      for (let i = 0; i < D; i++) {
        const j = r * D + i;
        const sx = k * part.sumX[j];
        const ss = k * part.sumS[j];
        total.sumX[j] += sx + w * dX[i];
        total.sumX2[j] += k * part.sumX2[j] + 2 * dX[i] * sx + w * dX[i] * dX[i];
        total.sumS[j] += ss + w * dS[i];
        total.sumS2[j] += k * part.sumS2[j] + 2 * dS[i] * ss + w * dS[i] * dS[i];
      }
    }
  }
  return total;
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

function resampleSums(counts: Float32Array, resamples: number, weight: Float64Array, quantities: tf.Tensor2D[], ref: number, center: EnsembleMoments): ResampleSums {
  const [n] = quantities[0].shape;
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
    const values = Float64Array.from(t.dataSync() as Float32Array);
    t.dispose();
    return values;
  });
  return { ref, meanX: center.meanX, meanP: center.meanP, sumW, sumW2, sumX, sumX2, sumS, sumS2 };
}

/** The moments of each resample from its sums. */
export function momentsOfResamples(sums: ResampleSums): EnsembleMoments[] {
  const R = sums.sumW.length;
  const D = sums.meanX.length;
  return Array.from({ length: R }, (_, r) => {
    const w = sums.sumW[r];
    const sumOmega2 = sums.sumW2[r] / (w * w);
    const dx = new Float64Array(D);
    const dp = new Float64Array(D);
    const meanX = new Float64Array(D);
    const meanP = new Float64Array(D);
    for (let i = 0; i < D; i++) {
      const k = r * D + i;
      const mx = sums.sumX[k] / w;
      const ms = sums.sumS[k] / w;
      meanX[i] = sums.meanX[i] + mx;
      meanP[i] = sums.meanP[i] + ms;
      dx[i] = Math.sqrt(Math.max(0, sums.sumX2[k] / w - mx * mx) / (1 - sumOmega2));
      dp[i] = Math.sqrt(Math.max(0, sums.sumS2[k] / w - ms * ms));
    }
    return { dx, dp, meanX, meanP, ess: 1 / sumOmega2 };
  });
}
