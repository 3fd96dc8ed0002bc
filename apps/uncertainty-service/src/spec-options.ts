import { Estimator, Space, type EstimatorSpec } from '@conjugate/proto';
import { checkCount, checkFinite, checkInteger, invalidArgument } from '@conjugate/service-kit';
import { InvalidEstimateError, resolveEstimateOptions, type EstimateOptions, type EstimatorName } from '@conjugate/uncertainty';

/** Spec §2: K = 100 evaluation points by default for the packet estimator. */
export const DEFAULT_PACKET_POINTS = 100;

function estimatorName(estimator: Estimator): EstimatorName {
  if (estimator === Estimator.ESTIMATOR_ENSEMBLE) return 'ensemble';
  if (estimator === Estimator.ESTIMATOR_PACKET) return 'packet';
  throw invalidArgument(`spec.estimator: must be ESTIMATOR_ENSEMBLE or ESTIMATOR_PACKET, got ${Estimator[estimator] ?? estimator}`);
}

function spaceName(space: Space): 'pixel' | 'feature' {
  if (space === Space.SPACE_PIXEL) return 'pixel';
  if (space === Space.SPACE_FEATURE) return 'feature';
  throw invalidArgument(`spec.space: must be SPACE_PIXEL or SPACE_FEATURE, got ${Space[space] ?? space}`);
}

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

/** EstimatorSpec → validated options (unset fields take the spec's defaults); INVALID_ARGUMENT names the field. */
export function optionsFromSpec(spec: EstimatorSpec | undefined): EstimateOptions {
  if (!spec) throw invalidArgument('spec: required (estimator and space)');
  const L = ESTIMATE_LIMITS;
  if (spec.sigma !== undefined) checkFinite(spec.sigma, 'spec.sigma', 0, L.maxSigma, true);
  if (spec.numSamples !== undefined) checkInteger(spec.numSamples, 'spec.num_samples', 2, L.maxSamples);
  if (spec.numPoints !== undefined) checkInteger(spec.numPoints, 'spec.num_points', 0, L.maxPoints);
  if (spec.bootstrapResamples !== undefined) checkInteger(spec.bootstrapResamples, 'spec.bootstrap_resamples', 2, L.maxBootstrap);
  if (spec.jackknifeBatches !== undefined) checkInteger(spec.jackknifeBatches, 'spec.jackknife_batches', 2, L.maxJackknifeBatches);
  checkCount(spec.sigmaSweep.length, 'spec.sigma_sweep', L.maxSigmaSweep);
  spec.sigmaSweep.forEach((s, i) => checkFinite(s, `spec.sigma_sweep[${i}]`, 0, L.maxSigma, true));
  checkInteger(spec.shardCount, 'spec.shard_count', 0, L.maxShards);
  checkInteger(spec.shardIndex, 'spec.shard_index', 0, Math.max(spec.shardCount - 1, 0));
  checkInteger(spec.batchSize, 'spec.batch_size', 0, L.maxBatchSize);
  checkInteger(spec.seed, 'spec.seed', -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const given: Partial<EstimateOptions> = {};
  if (spec.sigma !== undefined) given.sigma = spec.sigma;
  if (spec.numSamples !== undefined) given.samplesPerPoint = spec.numSamples;
  if (spec.bootstrapResamples !== undefined) given.bootstrapResamples = spec.bootstrapResamples;
  if (spec.jackknifeBatches !== undefined) given.jackknifeBatches = spec.jackknifeBatches;
  if (spec.shardCount > 0) given.shardCount = spec.shardCount;
  if (spec.batchSize !== 0) given.batchSize = spec.batchSize;
  try {
    return resolveEstimateOptions({
      ...given,
      estimator: estimatorName(spec.estimator),
      space: spaceName(spec.space),
      seed: spec.seed,
      sigmaSweep: spec.sigmaSweep,
      shardIndex: spec.shardIndex,
    });
  } catch (error) {
    if (error instanceof InvalidEstimateError) throw invalidArgument(`spec: ${error.message}`);
    throw error;
  }
}
