import { dataStd, ensembleMoments, type EnsembleInputs, type EnsembleMoments } from './ensemble-moments';
import { combineResampleSums, ensembleResampler, momentsOfResamples } from './ensemble-resamples';
import { estimateValue, missingValue, type EstimateValue } from './estimate-value';
import { poissonCounts, resampleStandardErrors } from './poisson-bootstrap';

/** Spec §1: a dimension is active when its data std exceeds this (MNIST's black border is not). */
export const ACTIVE_STD = 1e-6;

export interface EnsembleSummary {
  numPoints: number;
  activeDimensions: number;
  ess: number;
  meanDx: EstimateValue;
  meanDp: EstimateValue;
  meanProduct: EstimateValue;
  medianProduct: EstimateValue;
  /** Share of active dimensions with Δx_i·Δp_i ≥ 1/2. */
  shareAboveBound: EstimateValue;
  /** Feature space only (else undefined): mean Δx_i/std_i and mean Δp_i·std_i. */
  standardizedMeanDx?: EstimateValue;
  standardizedMeanDp?: EstimateValue;
}

const NAMES = ['meanDx', 'meanDp', 'meanProduct', 'medianProduct', 'shareAboveBound', 'standardizedMeanDx', 'standardizedMeanDp'] as const;
const NEEDS_DX = new Set<string>(['meanDx', 'meanProduct', 'medianProduct', 'shareAboveBound', 'standardizedMeanDx']);

function median(values: number[]): number {
  // A typed array sorts numerically without a comparator call per comparison (~10× faster here).
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The reported scalars over the active dimensions, in the order of NAMES. */
function scalars(moments: EnsembleMoments, active: number[], std: Float64Array): number[] {
  let dx = 0;
  let dp = 0;
  let standardizedDx = 0;
  let standardizedDp = 0;
  let above = 0;
  const products: number[] = [];
  for (const i of active) {
    const product = moments.dx[i] * moments.dp[i];
    dx += moments.dx[i];
    dp += moments.dp[i];
    standardizedDx += moments.dx[i] / std[i];
    standardizedDp += moments.dp[i] * std[i];
    if (product >= 0.5) above++;
    products.push(product);
  }
  const n = active.length;
  const undefinedDx = moments.ess < 2 ? NaN : 1;
  return [
    (dx / n) * undefinedDx,
    dp / n,
    (products.reduce((a, b) => a + b, 0) / n) * undefinedDx,
    median(products) * undefinedDx,
    (above / n) * undefinedDx,
    (standardizedDx / n) * undefinedDx,
    standardizedDp / n,
  ];
}

/** The point estimate of one group of points (all, or one class): moments, data std and active dimensions. */
export interface EnsembleGroup {
  members: number[];
  moments: EnsembleMoments;
  std: Float64Array;
  /** 1 where the data std exceeds ACTIVE_STD. */
  active: Uint8Array;
  activeDimensions: number[];
}

export function ensembleGroup(inputs: EnsembleInputs, members: number[]): EnsembleGroup {
  const moments = ensembleMoments(inputs, members);
  const std = dataStd(inputs, members);
  const active = Uint8Array.from(std, (s) => (s > ACTIVE_STD ? 1 : 0));
  return { members, moments, std, active, activeDimensions: [...active.keys()].filter((i) => active[i] === 1) };
}

/** The group's summary: its point estimate ± the SEs over the resamples' scalars (`draws[r]`, in the order of NAMES). */
function groupSummary(group: EnsembleGroup, draws: number[][], standardize: boolean): EnsembleSummary {
  const { moments, activeDimensions: active } = group;
  const values = scalars(moments, active, group.std);
  const errors = resampleStandardErrors(draws);
  const reason =
    active.length === 0
      ? 'no active dimension (every dimension has data std ≤ 1e-6)'
      : moments.ess < 2
        ? `ESS ${moments.ess.toFixed(2)} < 2: the weighted variance Δx² is not defined`
        : '';
  const entry = (j: number): EstimateValue => {
    const name = NAMES[j];
    if (active.length === 0) return missingValue(reason);
    if (NEEDS_DX.has(name) && moments.ess < 2) return missingValue(reason);
    return estimateValue(values[j], errors[j]);
  };
  const summary: EnsembleSummary = {
    numPoints: group.members.length,
    activeDimensions: active.length,
    ess: moments.ess,
    meanDx: entry(0),
    meanDp: entry(1),
    meanProduct: entry(2),
    medianProduct: entry(3),
    shareAboveBound: entry(4),
  };
  if (standardize) {
    summary.standardizedMeanDx = entry(5);
    summary.standardizedMeanDp = entry(6);
  }
  return summary;
}

// Bootstrap resamples per matrix product (bounds the [R, M] count matrix).
const RESAMPLES_PER_SLICE = 50;

/**
 * Summaries of all points and of each class, with Poisson-bootstrap SEs over the points (their
 * positions are their ids). Resample sums are computed per class as matrix products and combined into
 * those of all points (combineResampleSums), so each point enters one product per resample; in slices,
 * so a service stays responsive and cancellable meanwhile. Classes with fewer than 2 points get no
 * summary of their own (their points count for all points).
 */
export async function summariseEnsembleGroups(
  inputs: EnsembleInputs,
  overall: EnsembleGroup,
  classes: EnsembleGroup[],
  options: { resamples: number; seed: number; standardize: boolean; signal?: AbortSignal },
): Promise<{ overall: EnsembleSummary; perClass: EnsembleSummary[] }> {
  const resamplers = classes.map((group) => ensembleResampler(inputs, group.members, group.moments));
  const overallDraws: number[][] = [];
  const classDraws: number[][][] = classes.map(() => []);
  try {
    for (let first = 0; first < options.resamples; first += RESAMPLES_PER_SLICE) {
      options.signal?.throwIfAborted();
      const count = Math.min(RESAMPLES_PER_SLICE, options.resamples - first);
      const sums = classes.map((group, c) => resamplers[c].sums(poissonCounts(options.seed, count, group.members, first), count));
      classes.forEach((group, c) => {
        if (group.members.length >= 2) for (const resample of momentsOfResamples(sums[c])) classDraws[c].push(scalars(resample, group.activeDimensions, group.std));
      });
      for (const resample of momentsOfResamples(combineResampleSums(sums, overall.moments))) overallDraws.push(scalars(resample, overall.activeDimensions, overall.std));
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    for (const resampler of resamplers) resampler.dispose();
  }
  return {
    overall: groupSummary(overall, overallDraws, options.standardize),
    perClass: classes.map((group, c) => groupSummary(group, classDraws[c], options.standardize)),
  };
}
