import { dimensionCount, type PacketStatistics } from './packet-statistics';

/** The packet's moments at one point, from the batches it is given (spec §2). */
export interface PacketMoments {
  /** Per dimension: Δx_i, Δp_i, mean displacement m_i. */
  dx: Float64Array;
  dp: Float64Array;
  m: Float64Array;
  /** Effective sample size 1 / Σω². */
  ess: number;
}

/**
 * Combines the (point k) cells of the given local batches, rescaled to a common log reference,
 * into normalised moments: m = Σωd, Δx² = (Σωd² − m²)/(1 − Σω²), Δp² = Σω(s+u)².
 * Returns undefined when the batches carry no weight at all.
 */
export function packetMoments(stats: PacketStatistics, k: number, batches: number[]): PacketMoments | undefined {
  const B = stats.batchIndices.length;
  const D = dimensionCount(stats);
  let ref = -Infinity;
  for (const b of batches) ref = Math.max(ref, stats.logRef[k * B + b]);
  if (ref === -Infinity) return undefined;
  let sumW = 0;
  let sumW2 = 0;
  const sumWd = new Float64Array(D);
  const sumWd2 = new Float64Array(D);
  const sumWsu2 = new Float64Array(D);
  for (const b of batches) {
    const cell = k * B + b;
    if (stats.logRef[cell] === -Infinity) continue;
    const scale = Math.exp(stats.logRef[cell] - ref);
    sumW += scale * stats.sumW[cell];
    sumW2 += scale * scale * stats.sumW2[cell];
    const offset = cell * D;
    for (let i = 0; i < D; i++) {
      sumWd[i] += scale * stats.sumWd[offset + i];
      sumWd2[i] += scale * stats.sumWd2[offset + i];
      sumWsu2[i] += scale * stats.sumWsu2[offset + i];
    }
  }
  const sumOmega2 = sumW2 / (sumW * sumW);
  const dx = new Float64Array(D);
  const dp = new Float64Array(D);
  const m = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    m[i] = sumWd[i] / sumW;
    // Unbiased weighted variance; NaN when ESS = 1 (undefined).
    dx[i] = Math.sqrt(Math.max(0, sumWd2[i] / sumW - m[i] * m[i]) / (1 - sumOmega2));
    dp[i] = Math.sqrt(sumWsu2[i] / sumW);
  }
  return { dx, dp, m, ess: 1 / sumOmega2 };
}

/** Scalar per-point quantities derived from the moments. */
export interface PacketPointValues {
  meanDx: number;
  meanDp: number;
  /** Mean over dimensions of Δx_i·Δp_i, and its minimum. */
  meanProduct: number;
  minProduct: number;
  ess: number;
  /** Debiased shift sqrt(max(0, |m|² − ΣΔx_i²/ESS)) / σ. */
  shift: number;
  /** Mean over dimensions of Δx_i/σ and of 2σΔp_i. */
  dxOverSigma: number;
  twoSigmaDp: number;
}

export function pointValues(moments: PacketMoments, sigma: number): PacketPointValues {
  const D = moments.dx.length;
  let sumDx = 0;
  let sumDp = 0;
  let sumProduct = 0;
  let minProduct = Infinity;
  let m2 = 0;
  let dx2 = 0;
  for (let i = 0; i < D; i++) {
    const product = moments.dx[i] * moments.dp[i];
    sumDx += moments.dx[i];
    sumDp += moments.dp[i];
    sumProduct += product;
    minProduct = Math.min(minProduct, product);
    m2 += moments.m[i] * moments.m[i];
    dx2 += moments.dx[i] * moments.dx[i];
  }
  return {
    meanDx: sumDx / D,
    meanDp: sumDp / D,
    meanProduct: sumProduct / D,
    minProduct,
    ess: moments.ess,
    shift: Math.sqrt(Math.max(0, m2 - dx2 / moments.ess)) / sigma,
    dxOverSigma: sumDx / D / sigma,
    twoSigmaDp: (2 * sigma * sumDp) / D,
  };
}

/** Local batch positions 0..B−1 of the statistics. */
export function allBatches(stats: PacketStatistics): number[] {
  return stats.batchIndices.map((_, b) => b);
}
