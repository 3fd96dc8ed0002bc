/**
 * Additive sufficient statistics of the packet estimator (spec §2), per point and per jackknife batch,
 * in float64. Weights are stored as w = exp(log ω − logRef) with one logRef per (point, batch), so sums
 * from different batches, shards or replicas combine exactly after rescaling to a common reference.
 */
export interface PacketStatistics {
  /** Absolute packet width used (after feature-space scaling). */
  sigma: number;
  /** Point identities (dataset indices or positions in the inline tensor) and their labels, [K]. */
  pointIds: number[];
  labels: number[];
  /** Shape of one point in the estimator's space; D = product. */
  pointShape: number[];
  /** Global jackknife batch indices held here, [B] (a shard holds a subset of 0..totalBatches−1). */
  batchIndices: number[];
  totalBatches: number;
  /** Samples per point in these statistics (sum over the batches held). */
  samplesPerPoint: number;
  /** Seed of the whole estimate; each batch draws from its own stream derived from it. */
  seed: number;
  /** [K, B] */
  logRef: Float64Array;
  sumW: Float64Array;
  sumW2: Float64Array;
  /** [K, B, D]: Σ w d, Σ w d², Σ w (s + u)² */
  sumWd: Float64Array;
  sumWd2: Float64Array;
  sumWsu2: Float64Array;
}

export function dimensionCount(stats: Pick<PacketStatistics, 'pointShape'>): number {
  return stats.pointShape.reduce((a, b) => a * b, 1);
}

export function emptyPacketStatistics(
  init: Omit<PacketStatistics, 'logRef' | 'sumW' | 'sumW2' | 'sumWd' | 'sumWd2' | 'sumWsu2' | 'samplesPerPoint'>,
): PacketStatistics {
  const K = init.pointIds.length;
  const B = init.batchIndices.length;
  const D = dimensionCount(init);
  return {
    ...init,
    samplesPerPoint: 0,
    logRef: new Float64Array(K * B).fill(-Infinity),
    sumW: new Float64Array(K * B),
    sumW2: new Float64Array(K * B),
    sumWd: new Float64Array(K * B * D),
    sumWd2: new Float64Array(K * B * D),
    sumWsu2: new Float64Array(K * B * D),
  };
}

/** The samples of one (point, batch) cell: log ω, displacement d = X − x0 and score s = ∇ log l, rows of D. */
export interface BatchSamples {
  logWeight: ArrayLike<number>;
  displacement: ArrayLike<number>;
  score: ArrayLike<number>;
  /** 1 / (2σ²): u = −d / (2σ²) is the gradient of log W. */
  inverseTwoSigma2: number;
}

/** Fills cell (point k, local batch b), which must be empty, from its samples (float64 sums, log ref = max log ω). */
export function accumulateBatch(stats: PacketStatistics, k: number, b: number, samples: BatchSamples): void {
  const B = stats.batchIndices.length;
  const D = dimensionCount(stats);
  const cell = k * B + b;
  const rows = samples.logWeight.length;
  let ref = -Infinity;
  for (let r = 0; r < rows; r++) ref = Math.max(ref, samples.logWeight[r]);
  stats.logRef[cell] = ref;
  if (ref === -Infinity) return; // every sample has zero weight: the cell contributes nothing
  const offset = cell * D;
  // Locals for the hot loop (rows × D).
  const { displacement, score, inverseTwoSigma2 } = samples;
  const { sumWd, sumWd2, sumWsu2 } = stats;
  let sumW = 0;
  let sumW2 = 0;
  for (let r = 0; r < rows; r++) {
    const w = Math.exp(samples.logWeight[r] - ref);
    if (w === 0) continue;
    sumW += w;
    sumW2 += w * w;
    const row = r * D;
    for (let i = 0; i < D; i++) {
      const d = displacement[row + i];
      const su = score[row + i] - d * inverseTwoSigma2;
      sumWd[offset + i] += w * d;
      sumWd2[offset + i] += w * d * d;
      sumWsu2[offset + i] += w * su * su;
    }
  }
  stats.sumW[cell] = sumW;
  stats.sumW2[cell] = sumW2;
}
