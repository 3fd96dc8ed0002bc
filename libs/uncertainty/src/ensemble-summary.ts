import { dataStd, ensembleMoments, type EnsembleInputs, type EnsembleMoments } from './ensemble-moments';
import { ensembleResampler } from './ensemble-resamples';
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
  const sorted = [...values].sort((a, b) => a - b);
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

export interface EnsembleGroupResult {
  summary: EnsembleSummary;
  moments: EnsembleMoments;
  std: Float64Array;
  active: Uint8Array;
}

// Bootstrap resamples per matrix product (bounds the [R, M] count matrix).
const RESAMPLES_PER_SLICE = 50;

/** Summary of one group of points (all, or one class), with bootstrap SEs over its points. */
export async function summariseEnsembleGroup(
  inputs: EnsembleInputs,
  members: number[],
  options: { resamples: number; seed: number; standardize: boolean; signal?: AbortSignal },
): Promise<EnsembleGroupResult> {
  const moments = ensembleMoments(inputs, members);
  const std = dataStd(inputs, members);
  const activeMask = Uint8Array.from(std, (s) => (s > ACTIVE_STD ? 1 : 0));
  const active = [...activeMask.keys()].filter((i) => activeMask[i] === 1);
  const values = scalars(moments, active, std);
  // Poisson bootstrap over the points (their indices in the request are their ids), in slices so a
  // service stays responsive and cancellable meanwhile.
  const draws: number[][] = [];
  const resampler = ensembleResampler(inputs, members, moments);
  try {
    for (let first = 0; first < options.resamples; first += RESAMPLES_PER_SLICE) {
      options.signal?.throwIfAborted();
      const count = Math.min(RESAMPLES_PER_SLICE, options.resamples - first);
      const counts = poissonCounts(options.seed, count, members, first);
      for (const resample of resampler.moments(counts, count)) draws.push(scalars(resample, active, std));
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    resampler.dispose();
  }
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
    numPoints: members.length,
    activeDimensions: active.length,
    ess: moments.ess,
    meanDx: entry(0),
    meanDp: entry(1),
    meanProduct: entry(2),
    medianProduct: entry(3),
    shareAboveBound: entry(4),
  };
  if (options.standardize) {
    summary.standardizedMeanDx = entry(5);
    summary.standardizedMeanDp = entry(6);
  }
  return { summary, moments, std, active: activeMask };
}
