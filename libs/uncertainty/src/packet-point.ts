import { estimateValue, type EstimateValue } from './estimate-value';
import { jackknife } from './jackknife';
import { allBatches, packetMoments, pointValues, type PacketPointValues } from './packet-moments';
import { dimensionCount, type PacketStatistics } from './packet-statistics';

const SCALARS = ['meanDx', 'meanDp', 'meanProduct', 'minProduct', 'ess', 'shift', 'dxOverSigma', 'twoSigmaDp'] as const;

/** One point's packet estimate: scalars and per-dimension values, each ± delete-one-batch jackknife SE. */
export interface PacketPointEstimate {
  pointId: number;
  label: number;
  values: Record<keyof PacketPointValues, EstimateValue>;
  /** Per dimension, [D]. */
  dx: Float64Array;
  dp: Float64Array;
  product: Float64Array;
  m: Float64Array;
  dxError: Float64Array;
  dpError: Float64Array;
  productError: Float64Array;
  mError: Float64Array;
}

/** Estimates at point k from all batches of the statistics, with jackknife errors over the batches. */
export function packetPointEstimate(stats: PacketStatistics, k: number): PacketPointEstimate {
  const D = dimensionCount(stats);
  const batches = allBatches(stats);
  const result = jackknife(batches.length, (groups) => {
    const moments = packetMoments(stats, k, groups.map((g) => batches[g]));
    if (moments === undefined) return undefined;
    const scalars = pointValues(moments, stats.sigma);
    const vector = new Float64Array(SCALARS.length + 4 * D);
    SCALARS.forEach((name, j) => (vector[j] = scalars[name]));
    for (let i = 0; i < D; i++) {
      vector[SCALARS.length + i] = moments.dx[i];
      vector[SCALARS.length + D + i] = moments.dp[i];
      vector[SCALARS.length + 2 * D + i] = moments.dx[i] * moments.dp[i];
      vector[SCALARS.length + 3 * D + i] = moments.m[i];
    }
    return vector;
  });
  if (result === undefined) {
    throw new Error(`point ${stats.pointIds[k]}: no sample has positive weight (the loss is 0 everywhere sampled)`);
  }
  const { values, standardErrors } = result;
  const slice = (a: Float64Array, part: number) => a.slice(SCALARS.length + part * D, SCALARS.length + (part + 1) * D);
  return {
    pointId: stats.pointIds[k],
    label: stats.labels[k],
    values: Object.fromEntries(
      SCALARS.map((name, j) => [name, estimateValue(values[j], standardErrors[j])]),
    ) as Record<keyof PacketPointValues, EstimateValue>,
    dx: slice(values, 0),
    dp: slice(values, 1),
    product: slice(values, 2),
    m: slice(values, 3),
    dxError: slice(standardErrors, 0),
    dpError: slice(standardErrors, 1),
    productError: slice(standardErrors, 2),
    mError: slice(standardErrors, 3),
  };
}
