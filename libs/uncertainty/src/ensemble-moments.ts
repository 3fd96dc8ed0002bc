/**
 * The weighted moments of the ensemble estimator (spec §1), from per-point log-losses and scores.
 * With ω_m = l_m²/Σl², g = l·s and ⟨p⟩ = Σ l g / Σ l² = Σ ω s, Δp² = Σ g²/Σ l² − ⟨p⟩² = Σ ω s² − ⟨p⟩²:
 * everything is a sum over points of w_m = exp(2 log l_m − ref) times x, x², s, s² (float64).
 */
export interface EnsembleInputs {
  /** M points, D dimensions each: X [M, D], s = ∇ log l [M, D], log l [M] (row-major). */
  points: Float32Array;
  scores: Float32Array;
  logLoss: Float32Array;
  dimensions: number;
}

export interface EnsembleMoments {
  dx: Float64Array;
  dp: Float64Array;
  meanX: Float64Array;
  meanP: Float64Array;
  ess: number;
}

/**
 * Moments over the member points with the given multiplicities (1 each when omitted; a bootstrap
 * resample passes its counts). The caller treats Δx as undefined when ESS < 2.
 */
export function ensembleMoments(inputs: EnsembleInputs, members: number[], counts?: ArrayLike<number>): EnsembleMoments {
  const D = inputs.dimensions;
  let ref = -Infinity;
  for (const m of members) ref = Math.max(ref, 2 * inputs.logLoss[m]);
  let sumW = 0;
  let sumW2 = 0;
  const sumWx = new Float64Array(D);
  const sumWx2 = new Float64Array(D);
  const sumWs = new Float64Array(D);
  const sumWs2 = new Float64Array(D);
  // Hot loop of the bootstrap (M·D per resample): plain indexed loops over typed arrays.
  const { points, scores, logLoss } = inputs;
  for (let j = 0; j < members.length; j++) {
    const c = counts === undefined ? 1 : counts[j];
    if (c === 0) continue;
    const m = members[j];
    const w = Math.exp(2 * logLoss[m] - ref);
    if (w === 0) continue;
    const cw = c * w;
    sumW += cw;
    sumW2 += cw * w;
    const row = m * D;
    for (let i = 0; i < D; i++) {
      const x = points[row + i];
      const s = scores[row + i];
      const cwx = cw * x;
      const cws = cw * s;
      sumWx[i] += cwx;
      sumWx2[i] += cwx * x;
      sumWs[i] += cws;
      sumWs2[i] += cws * s;
    }
  }
  const sumOmega2 = sumW2 / (sumW * sumW);
  const dx = new Float64Array(D);
  const dp = new Float64Array(D);
  const meanX = new Float64Array(D);
  const meanP = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    meanX[i] = sumWx[i] / sumW;
    meanP[i] = sumWs[i] / sumW;
    dx[i] = Math.sqrt(Math.max(0, sumWx2[i] / sumW - meanX[i] ** 2) / (1 - sumOmega2));
    dp[i] = Math.sqrt(Math.max(0, sumWs2[i] / sumW - meanP[i] ** 2));
  }
  return { dx, dp, meanX, meanP, ess: 1 / sumOmega2 };
}

/** Unweighted data standard deviation per dimension over the members (population form). */
export function dataStd(inputs: EnsembleInputs, members: number[]): Float64Array {
  const D = inputs.dimensions;
  const sum = new Float64Array(D);
  const sum2 = new Float64Array(D);
  for (const m of members) {
    for (let i = 0; i < D; i++) {
      const x = inputs.points[m * D + i];
      sum[i] += x;
      sum2[i] += x * x;
    }
  }
  const std = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    const mean = sum[i] / members.length;
    std[i] = Math.sqrt(Math.max(0, sum2[i] / members.length - mean * mean));
  }
  return std;
}
