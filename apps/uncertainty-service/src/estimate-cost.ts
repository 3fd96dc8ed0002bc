import type { TrainableClassifier } from '@conjugate/models';
import type { PointSelection } from '@conjugate/proto';
import { checkCost } from '@conjugate/service-kit';
import type { EstimateOptions } from '@conjugate/uncertainty';

/** Largest split of any registered dataset (MNIST train): what "the whole split" may hold. */
const LARGEST_SPLIT = 60_000;

/** How many points a selection will give, known before any is fetched. */
export function expectedPointCount(selection: PointSelection | undefined, numPoints: number): number {
  const points = selection?.points;
  if (!points) return 0;
  if (points.$case === 'inline') return points.value.labels?.shape[0] ?? 0;
  return points.value.indices.length || numPoints || LARGEST_SPLIT;
}

/**
 * Cost of an estimate in the unit of CONJUGATE_MAX_REQUEST_COST (model evaluations × max(parameters,
 * input values)): the packet takes N gradients per point and width (this shard's share); the ensemble
 * one gradient per point plus its bootstrap, B resamples over points × dimensions (a shard: its share of
 * the gradients only).
 */
export function estimateCost(classifier: TrainableClassifier, points: number, options: EstimateOptions): number {
  const [h, w, c] = classifier.spec.inputShape;
  const perImage = Math.max(classifier.parameterCount(), h * w * c);
  if (options.estimator === 'packet') {
    return (points * options.samplesPerPoint * (1 + options.sigmaSweep.length) * perImage) / Math.max(options.shardCount, 1);
  }
  // A shard of an ensemble takes the gradients of its share of the points; its caller runs the bootstrap.
  if (options.shardCount > 1) return (points * perImage) / options.shardCount;
  const dims = options.space === 'pixel' ? h * w * c : classifier.spec.featureSize;
  return points * perImage + points * dims * options.bootstrapResamples;
}

/** RESOURCE_EXHAUSTED above the service's ceiling, naming the limit. */
export function checkEstimateCost(classifier: TrainableClassifier, points: number, options: EstimateOptions): void {
  const what =
    options.estimator === 'packet'
      ? `the packet estimate (${points} points × ${options.samplesPerPoint} samples × ${1 + options.sigmaSweep.length} widths on ${classifier.spec.architecture})`
      : `the ensemble estimate (${points} points, ${options.bootstrapResamples} resamples on ${classifier.spec.architecture})`;
  checkCost(estimateCost(classifier, points, options), what);
}
