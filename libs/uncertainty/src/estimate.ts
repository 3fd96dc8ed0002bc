import * as tf from '@tensorflow/tfjs-core';
import { RunningMoments } from '@conjugate/attacks';
import type { Classifier } from '@conjugate/models';
import { ensembleInputs, summariseEnsemble, type EnsembleReport } from './ensemble';
import { ensembleShardRange, type EnsembleShardInputs, type PointRange } from './ensemble-shard';
import { InvalidEstimateError, type EstimateOptions } from './estimate-options';
import { featureSigma, pooledStd } from './feature-scale';
import { classifierLogLoss } from './log-loss';
import { estimatePacket, type PacketEstimate } from './packet';

/** Progress of an estimate: `done` of `total` units (points), and samples (gradient rows) so far. */
export interface EstimateProgress {
  stage: string;
  done: number;
  total: number;
  samples: number;
}

export interface EstimateOutcome {
  options: EstimateOptions;
  /** Pooled std of the pixels and of the features over the points (§3), and σ actually used. */
  stdPixel: number;
  stdFeature: number;
  ensemble?: EnsembleReport;
  /** One shard of a sharded ensemble estimate: its per-point inputs, for the caller to summarise. */
  ensembleShard?: EnsembleShardInputs;
  packet?: PacketEstimate;
  /** One packet estimate per extra σ of the sweep. */
  sweep: PacketEstimate[];
  warnings: string[];
}

/** Checks that images [K, H, W, C] and labels fit the classifier; throws InvalidEstimateError naming what does not. */
export function validatePoints(classifier: Classifier, images: tf.Tensor, labels: number[]): void {
  const expected = classifier.spec.inputShape;
  if (images.rank !== 4 || images.shape.slice(1).join() !== expected.join()) {
    throw new InvalidEstimateError(
      `points: images have shape [${images.shape.join(', ')}], the model expects [K, ${expected.join(', ')}]`,
    );
  }
  if (images.shape[0] !== labels.length) {
    throw new InvalidEstimateError(`points: ${images.shape[0]} images but ${labels.length} labels`);
  }
  const bad = labels.find((y) => !Number.isInteger(y) || y < 0 || y >= classifier.spec.numClasses);
  if (bad !== undefined) {
    throw new InvalidEstimateError(`points: label ${bad} is outside [0, ${classifier.spec.numClasses})`);
  }
}

/** g(x) for all images, a batch at a time (a network's activations for thousands of images at once do not fit). */
function featuresInBatches(classifier: Classifier, images: tf.Tensor4D, batchSize: number): tf.Tensor2D {
  return tf.tidy(() => {
    const parts: tf.Tensor2D[] = [];
    for (let start = 0; start < images.shape[0]; start += batchSize) {
      const size = Math.min(batchSize, images.shape[0] - start);
      parts.push(tf.tidy(() => classifier.features(tf.slice(images, start, size))));
    }
    return parts.length === 1 ? parts[0] : (tf.concat(parts, 0) as tf.Tensor2D);
  });
}

/**
 * Runs one estimator (and the packet's σ sweep) on a classifier at the given images. For a shard of an
 * ensemble estimate the images are all its points, or, with `range`, only this shard's run of them.
 */
export async function estimateOnClassifier(
  classifier: Classifier,
  images: tf.Tensor4D,
  labels: number[],
  pointIds: number[],
  options: EstimateOptions,
  hooks: { onProgress?: (progress: EstimateProgress) => void; signal?: AbortSignal } = {},
  range?: PointRange,
): Promise<EstimateOutcome> {
  validatePoints(classifier, images, labels);
  // M counts every point of the estimate, not only those of a shard given its own run (`range`).
  const M = range?.total ?? labels.length;
  if (options.estimator === 'ensemble' && M < 2) throw new InvalidEstimateError(`points: the ensemble needs M ≥ 2 points, got ${M}`);
  if (labels.length < 1) throw new InvalidEstimateError('points: no points given');
  if (options.estimator === 'ensemble') return ensembleOnClassifier(classifier, images, labels, options, hooks, range);
  const model = classifierLogLoss(classifier, options.space);
  const features = featuresInBatches(classifier, images, options.batchSize);
  const X = options.space === 'pixel' ? images : features;
  try {
    const stdPixel = pooledStd(images);
    const stdFeature = pooledStd(features);
    const outcome: EstimateOutcome = { options, stdPixel, stdFeature, sweep: [], warnings: [] };
    const stage = `${options.estimator}/${options.space}`;
    const K = labels.length;
    const sigmas = [options.sigma, ...options.sigmaSweep];
    const estimates: PacketEstimate[] = [];
    let samplesBefore = 0;
    for (const [j, sigmaPixel] of sigmas.entries()) {
      const sigma = options.space === 'pixel' ? sigmaPixel : featureSigma(sigmaPixel, stdPixel, stdFeature);
      const estimate = await estimatePacket(
        model,
        { points: X, labels, pointIds },
        {
          sigma,
          samplesPerPoint: options.samplesPerPoint,
          totalBatches: options.jackknifeBatches,
          shardIndex: options.shardIndex,
          shardCount: options.shardCount,
          seed: options.seed,
          batchSize: options.batchSize,
          signal: hooks.signal,
          onProgress: (done, samples) =>
            hooks.onProgress?.({ stage: j === 0 ? stage : `${stage}/sweep`, done: j * K + done, total: sigmas.length * K, samples: samplesBefore + samples }),
        },
      );
      samplesBefore += estimate.statistics.samplesPerPoint * K;
      estimates.push(estimate);
      outcome.warnings.push(...estimate.report.warnings);
    }
    [outcome.packet] = estimates;
    outcome.sweep = estimates.slice(1);
    return outcome;
  } finally {
    features.dispose();
  }
}

/**
 * The ensemble estimate, or with shard_count > 1 this shard's run of whole batches: the forward/backward
 * passes of its points only, handed back as per-point inputs for the caller to summarise. In pixel space
 * the features' pooled sums (for std_g) are taken on the way through the network, not by a pass of their own.
 */
async function ensembleOnClassifier(
  classifier: Classifier,
  givenImages: tf.Tensor4D,
  givenLabels: number[],
  options: EstimateOptions,
  hooks: { onProgress?: (progress: EstimateProgress) => void; signal?: AbortSignal },
  range?: PointRange,
): Promise<EstimateOutcome> {
  const sharded = options.shardCount > 1;
  const totalPoints = range?.total ?? givenLabels.length;
  const { first, end } = sharded ? ensembleShardRange(totalPoints, options.batchSize, options.shardIndex, options.shardCount) : { first: 0, end: totalPoints };
  if (range && (range.first !== first || givenLabels.length !== end - first)) {
    throw new InvalidEstimateError(`points: shard ${options.shardIndex} of ${options.shardCount} holds points ${first}…${end - 1} of ${totalPoints}, got ${givenLabels.length} from point ${range.first}`);
  }
  // Only this shard's points: those given (with `range`), or its run of all points.
  const own = sharded && !range;
  const labels = own ? givenLabels.slice(first, end) : givenLabels;
  const images = own ? tf.slice(givenImages, first, end - first) : givenImages;
  const pixel = options.space === 'pixel';
  const features = pixel ? undefined : featuresInBatches(classifier, images, options.batchSize);
  const featureSums = new RunningMoments();
  try {
    const model = classifierLogLoss(classifier, options.space, pixel ? (z) => featureSums.add(z) : undefined);
    const stage = `ensemble/${options.space}`;
    const inputs = await ensembleInputs(model, features ?? images, labels, {
      batchSize: options.batchSize,
      signal: hooks.signal,
      onProgress: (done) => hooks.onProgress?.({ stage, done, total: labels.length, samples: done }),
    });
    if (features) featureSums.add(features);
    const pixels = new RunningMoments().add(images);
    if (sharded) {
      return {
        options, stdPixel: NaN, stdFeature: NaN, sweep: [], warnings: [],
        ensembleShard: { firstPoint: first, totalPoints, labels, inputs, pixels, features: featureSums },
      };
    }
    const ensemble = await summariseEnsemble(inputs, labels, {
      bootstrapResamples: options.bootstrapResamples, seed: options.seed, standardize: !pixel, signal: hooks.signal,
    });
    return { options, stdPixel: pixels.std, stdFeature: featureSums.std, ensemble, sweep: [], warnings: [...ensemble.warnings] };
  } finally {
    if (own) images.dispose();
    features?.dispose();
  }
}
