import { Estimator, Space, type EstimatorSpec } from '@conjugate/proto';
import { InvalidEstimateError } from './estimate-options';

/**
 * Limits of one estimate (documented in uncertainty.proto). The presets use at most N = 256, K = 100,
 * 200 resamples, 8 jackknife batches and M = a whole split (60 000 images at most); the limits leave
 * room above those and refuse values that would only exhaust memory.
 */
export const ESTIMATE_LIMITS = Object.freeze({
  maxSamples: 65_536,
  maxPoints: 100_000,
  maxBootstrap: 10_000,
  maxJackknifeBatches: 1024,
  maxShards: 1024,
  maxBatchSize: 4096,
  maxSigmaSweep: 32,
  // Pixel units: far beyond the pixel range [0, 1] (tests use 40 to force a low ESS); 1e30 is refused.
  maxSigma: 100,
});

/**
 * Checks every field of an EstimatorSpec for type and range (before defaults apply), so a run or a
 * request cannot be accepted with a value that fails later. Throws InvalidEstimateError "<prefix>.<field>: …".
 */
export function checkEstimatorSpecLimits(spec: EstimatorSpec, prefix: string): void {
  const L = ESTIMATE_LIMITS;
  const fail = (field: string, message: string): never => {
    throw new InvalidEstimateError(`${prefix}.${field}: ${message}`);
  };
  const integer = (value: number | undefined, field: string, min: number, max: number) => {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= min && value <= max)) fail(field, `must be an integer in [${min}, ${max}], got ${value}`);
  };
  const width = (value: number | undefined, field: string) => {
    if (value !== undefined && !(Number.isFinite(value) && value > 0 && value <= L.maxSigma)) fail(field, `must be a finite number in (0, ${L.maxSigma}], got ${value}`);
  };
  if (!Object.values(Estimator).includes(spec.estimator) || spec.estimator < 0) fail('estimator', `unknown value ${spec.estimator}`);
  if (!Object.values(Space).includes(spec.space) || spec.space < 0) fail('space', `unknown value ${spec.space}`);
  width(spec.sigma, 'sigma');
  integer(spec.numSamples, 'num_samples', 2, L.maxSamples);
  integer(spec.numPoints, 'num_points', 0, L.maxPoints);
  integer(spec.bootstrapResamples, 'bootstrap_resamples', 2, L.maxBootstrap);
  integer(spec.jackknifeBatches, 'jackknife_batches', 2, L.maxJackknifeBatches);
  if (spec.sigmaSweep.length > L.maxSigmaSweep) fail('sigma_sweep', `at most ${L.maxSigmaSweep} widths, got ${spec.sigmaSweep.length}`);
  spec.sigmaSweep.forEach((s, i) => width(s, `sigma_sweep[${i}]`));
  integer(spec.shardCount, 'shard_count', 0, L.maxShards);
  integer(spec.shardIndex, 'shard_index', 0, Math.max(spec.shardCount - 1, 0));
  integer(spec.batchSize, 'batch_size', 0, L.maxBatchSize);
  integer(spec.seed, 'seed', -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
}
