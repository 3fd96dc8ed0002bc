import { estimateValue, meanWithError, type EstimateValue } from './estimate-value';
import type { PacketPointValues } from './packet-moments';
import { packetPointEstimate, type PacketPointEstimate } from './packet-point';
import { dimensionCount, type PacketStatistics } from './packet-statistics';

/** Spec §2: a point whose ESS is below N/20 is not trustworthy at this σ. */
export const LOW_ESS_FRACTION = 1 / 20;

/** Per-point quantities averaged over a group of points, ± standard error across the points. */
export interface PacketSummary {
  numPoints: number;
  meanDx: EstimateValue;
  meanDp: EstimateValue;
  meanProduct: EstimateValue;
  /** The smallest per-point mean product, ± that point's jackknife SE. */
  minProduct: EstimateValue;
  ess: EstimateValue;
  shift: EstimateValue;
  dxOverSigma: EstimateValue;
  twoSigmaDp: EstimateValue;
  lowEssPoints: number;
}

export interface PacketReport {
  sigma: number;
  samplesPerPoint: number;
  overall: PacketSummary;
  perClass: { label: number; summary: PacketSummary }[];
  /** Per-dimension means over points, [D] in the point shape. */
  maps: { dx: Float64Array; dp: Float64Array; product: Float64Array };
  points: PacketPointEstimate[];
  warnings: string[];
}

function summarise(points: PacketPointEstimate[], samplesPerPoint: number): PacketSummary {
  // With one point there is no spread across points: its jackknife error is the error.
  const across = (name: keyof PacketPointValues): EstimateValue =>
    points.length === 1 ? points[0].values[name] : meanWithError(points.map((p) => p.values[name].value));
  const lowest = points.reduce((a, b) => (b.values.meanProduct.value < a.values.meanProduct.value ? b : a));
  return {
    numPoints: points.length,
    meanDx: across('meanDx'),
    meanDp: across('meanDp'),
    meanProduct: across('meanProduct'),
    minProduct: estimateValue(lowest.values.meanProduct.value, lowest.values.meanProduct.standardError),
    ess: across('ess'),
    shift: across('shift'),
    dxOverSigma: across('dxOverSigma'),
    twoSigmaDp: across('twoSigmaDp'),
    lowEssPoints: points.filter((p) => p.values.ess.value < samplesPerPoint * LOW_ESS_FRACTION).length,
  };
}

function meanMap(points: PacketPointEstimate[], pick: (p: PacketPointEstimate) => Float64Array, D: number): Float64Array {
  const map = new Float64Array(D);
  for (const p of points) {
    const values = pick(p);
    for (let i = 0; i < D; i++) map[i] += values[i] / points.length;
  }
  return map;
}

/** Every summary of the spec §2 from (possibly merged) statistics. */
export function summarisePacket(stats: PacketStatistics): PacketReport {
  const D = dimensionCount(stats);
  const points = stats.pointIds.map((_, k) => packetPointEstimate(stats, k));
  const overall = summarise(points, stats.samplesPerPoint);
  const labels = [...new Set(stats.labels)].sort((a, b) => a - b);
  const perClass = labels.map((label) => ({
    label,
    summary: summarise(points.filter((p) => p.label === label), stats.samplesPerPoint),
  }));
  const warnings: string[] = [];
  if (overall.lowEssPoints > 0) {
    const lowest = Math.min(...points.map((p) => p.values.ess.value));
    warnings.push(
      `σ = ${stats.sigma.toPrecision(4)}: ESS < N/20 = ${(stats.samplesPerPoint * LOW_ESS_FRACTION).toFixed(1)} ` +
        `at ${overall.lowEssPoints} of ${points.length} points (lowest ${lowest.toFixed(1)}); ` +
        'the estimate at this σ is not trustworthy',
    );
  }
  return {
    sigma: stats.sigma,
    samplesPerPoint: stats.samplesPerPoint,
    overall,
    perClass,
    maps: {
      dx: meanMap(points, (p) => p.dx, D),
      dp: meanMap(points, (p) => p.dp, D),
      product: meanMap(points, (p) => p.product, D),
    },
    points,
    warnings,
  };
}
