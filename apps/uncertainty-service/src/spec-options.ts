import { Estimator, Space, type EstimatorSpec } from '@conjugate/proto';
import { invalidArgument } from '@conjugate/service-kit';
import { checkEstimatorSpecLimits, InvalidEstimateError, resolveEstimateOptions, type EstimateOptions, type EstimatorName } from '@conjugate/uncertainty';

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

/** EstimatorSpec → validated options (unset fields take the spec's defaults); INVALID_ARGUMENT names the field. */
export function optionsFromSpec(spec: EstimatorSpec | undefined): EstimateOptions {
  if (!spec) throw invalidArgument('spec: required (estimator and space)');
  try {
    checkEstimatorSpecLimits(spec, 'spec');
  } catch (error) {
    if (error instanceof InvalidEstimateError) throw invalidArgument(error.message);
    throw error;
  }
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

export { ESTIMATE_LIMITS } from '@conjugate/uncertainty';
