import type { EstimatorSpace } from './log-loss';

export type EstimatorName = 'ensemble' | 'packet';

/** Everything that says how to estimate; `resolveEstimateOptions` fills the spec's defaults. */
export interface EstimateOptions {
  estimator: EstimatorName;
  space: EstimatorSpace;
  /** Packet width in pixel units (feature space scales it by §3). */
  sigma: number;
  /** Packet: N samples per point over all shards. */
  samplesPerPoint: number;
  seed: number;
  bootstrapResamples: number;
  jackknifeBatches: number;
  /** Extra packet widths (pixel units) to report. */
  sigmaSweep: number[];
  shardIndex: number;
  shardCount: number;
  batchSize: number;
}

export const DEFAULT_ESTIMATE_OPTIONS: Omit<EstimateOptions, 'estimator' | 'space'> = {
  sigma: 8 / 255,
  samplesPerPoint: 256,
  seed: 0,
  bootstrapResamples: 200,
  jackknifeBatches: 8,
  sigmaSweep: [],
  shardIndex: 0,
  shardCount: 1,
  batchSize: 256,
};

/** Bad options: the service answers INVALID_ARGUMENT with this message, which names the field. */
export class InvalidEstimateError extends Error {
  override readonly name = 'InvalidEstimateError';
}

export function resolveEstimateOptions(
  partial: Partial<EstimateOptions> & Pick<EstimateOptions, 'estimator' | 'space'>,
): EstimateOptions {
  const options: EstimateOptions = { ...DEFAULT_ESTIMATE_OPTIONS, ...partial };
  const fail = (message: string) => {
    throw new InvalidEstimateError(message);
  };
  if (options.estimator !== 'ensemble' && options.estimator !== 'packet') fail(`unknown estimator "${options.estimator}"`);
  if (options.space !== 'pixel' && options.space !== 'feature') fail(`unknown space "${options.space}"`);
  if (!(options.sigma > 0) || !Number.isFinite(options.sigma)) fail(`sigma must be > 0, got ${options.sigma}`);
  for (const s of options.sigmaSweep) if (!(s > 0) || !Number.isFinite(s)) fail(`sigma_sweep values must be > 0, got ${s}`);
  if (!Number.isInteger(options.samplesPerPoint) || options.samplesPerPoint < 2) {
    fail(`num_samples (N) must be an integer ≥ 2, got ${options.samplesPerPoint}`);
  }
  if (!Number.isInteger(options.bootstrapResamples) || options.bootstrapResamples < 2) {
    fail(`bootstrap_resamples must be ≥ 2, got ${options.bootstrapResamples}`);
  }
  if (!Number.isInteger(options.jackknifeBatches) || options.jackknifeBatches < 2) {
    fail(`jackknife_batches must be ≥ 2, got ${options.jackknifeBatches}`);
  }
  if (options.jackknifeBatches > options.samplesPerPoint) {
    fail(`jackknife_batches (${options.jackknifeBatches}) must not exceed num_samples (${options.samplesPerPoint})`);
  }
  if (!Number.isInteger(options.shardCount) || options.shardCount < 1) fail(`shard_count must be ≥ 1, got ${options.shardCount}`);
  // Ensemble shards are runs of points (checked against the points, ensembleShardRange).
  if (options.estimator === 'packet' && options.shardCount > options.jackknifeBatches) {
    fail(`shard_count (${options.shardCount}) must not exceed jackknife_batches (${options.jackknifeBatches}): a shard is a set of batches`);
  }
  if (!Number.isInteger(options.shardIndex) || options.shardIndex < 0 || options.shardIndex >= options.shardCount) {
    fail(`shard_index must be in [0, ${options.shardCount}), got ${options.shardIndex}`);
  }
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) fail(`batch_size must be ≥ 1, got ${options.batchSize}`);
  return options;
}
