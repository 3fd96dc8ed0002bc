import * as tf from '@tensorflow/tfjs-core';
import type { EnsembleInputs } from './ensemble-moments';
import { ensembleGroup, summariseEnsembleGroups, type EnsembleSummary } from './ensemble-summary';
import { logLossAndScore, pointSize, type LogLossModel } from './log-loss';

export interface EnsembleOptions {
  /** Bootstrap resamples for the standard errors (the spec asks for ≥ 200). */
  bootstrapResamples: number;
  seed: number;
  /** Points per forward/backward pass. */
  batchSize: number;
  /** Report Δx_i/std_i and Δp_i·std_i means too (feature space). */
  standardize: boolean;
  onProgress?: (pointsDone: number) => void;
  signal?: AbortSignal;
}

export interface EnsembleReport {
  overall: EnsembleSummary;
  perClass: { label: number; summary: EnsembleSummary }[];
  /** Per-dimension maps over all points, [D]: Δx (NaN when ESS < 2), Δp, product, active (0/1), ⟨p⟩. */
  maps: { dx: Float64Array; dp: Float64Array; product: Float64Array; active: Float64Array; meanP: Float64Array };
  warnings: string[];
}

/** Loss and score at every point, in batches: the one forward + backward per point the estimator costs. */
export async function ensembleInputs(
  model: LogLossModel,
  points: tf.Tensor,
  labels: number[],
  { batchSize, onProgress, signal }: Pick<EnsembleOptions, 'batchSize' | 'onProgress' | 'signal'>,
): Promise<EnsembleInputs> {
  const M = labels.length;
  const D = pointSize(model);
  const logLoss = new Float32Array(M);
  const scores = new Float32Array(M * D);
  for (let start = 0; start < M; start += batchSize) {
    signal?.throwIfAborted();
    const size = Math.min(batchSize, M - start);
    const x = tf.slice(points, start, size);
    const y = tf.tensor1d(labels.slice(start, start + size), 'int32');
    try {
      logLossAndScore(model, x, y, { logLoss, score: scores, row: start });
    } finally {
      x.dispose();
      y.dispose();
    }
    onProgress?.(start + size);
    // Let sockets and timers run between batches: progress gets out, cancellation gets in.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { points: (await points.data()) as Float32Array, scores, logLoss, dimensions: D };
}

/** The ensemble estimator of spec §1 over M points (X in the model's space) with their labels. */
export async function estimateEnsemble(
  model: LogLossModel,
  points: tf.Tensor,
  labels: number[],
  options: EnsembleOptions,
): Promise<EnsembleReport> {
  if (labels.length < 2) throw new Error(`ensemble needs M ≥ 2 points, got ${labels.length}`);
  return summariseEnsemble(await ensembleInputs(model, points, labels, options), labels, options);
}

/**
 * The estimator's statistics over its per-point inputs (point m's id in the bootstrap is its position):
 * what one pass computes after its forward/backward passes, and what the caller of a sharded estimate
 * computes over the shards' inputs in point order.
 */
export async function summariseEnsemble(
  inputs: EnsembleInputs,
  labels: number[],
  options: Pick<EnsembleOptions, 'bootstrapResamples' | 'seed' | 'standardize' | 'signal'>,
): Promise<EnsembleReport> {
  const all = labels.map((_, m) => m);
  const overall = ensembleGroup(inputs, all);
  const labelsPresent = [...new Set(labels)].sort((a, b) => a - b);
  const classes = labelsPresent.map((label) => ensembleGroup(inputs, all.filter((m) => labels[m] === label)));
  const summaries = await summariseEnsembleGroups(inputs, overall, classes, {
    resamples: options.bootstrapResamples, seed: options.seed, standardize: options.standardize, signal: options.signal,
  });
  const warnings: string[] = [];
  const perClass: EnsembleReport['perClass'] = [];
  labelsPresent.forEach((label, c) => {
    const members = classes[c].members.length;
    if (members < 2) warnings.push(`class ${label}: only ${members} point, no per-class ensemble summary`);
    else perClass.push({ label, summary: summaries.perClass[c] });
  });
  const { moments } = overall;
  if (moments.ess < 2) {
    warnings.push(`ensemble ESS ${moments.ess.toFixed(2)} < 2: Δx is not defined and is reported as missing`);
  }
  const dxDefined = moments.ess >= 2;
  return {
    overall: summaries.overall,
    perClass,
    maps: {
      dx: dxDefined ? moments.dx : new Float64Array(moments.dx.length).fill(NaN),
      dp: moments.dp,
      product: moments.dx.map((dx, i) => (dxDefined ? dx * moments.dp[i] : NaN)),
      active: Float64Array.from(overall.active),
      meanP: moments.meanP,
    },
    warnings,
  };
}
