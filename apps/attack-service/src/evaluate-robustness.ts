import * as tf from '@tensorflow/tfjs-core';
import {
  absoluteBudget,
  accuracies,
  addCounts,
  NO_IMAGES,
  resolveAttackSpec,
  robustnessOfBatchCancellable,
  SpaceScaleMeter,
  spaceToProto,
  type SpaceScale,
} from '@conjugate/attacks';
import type { ModelResolver } from '@conjugate/clients';
import type { Classifier } from '@conjugate/models';
import { DType, Split, StreamBatchesRequest, type Batch, type EvaluateRobustnessRequest, type EvaluateRobustnessUpdate } from '@conjugate/proto';
import { checkCount, checkShard, checkString, failedPrecondition, invalidArgument, truncateForMessage, type ServerStreamContext } from '@conjugate/service-kit';
import { fromTensorMessage } from '@conjugate/tensor';
import { checkAttackCost, LARGEST_SPLIT } from './attack-cost';
import { refusingBadInput } from './status';

/** Streams a slice of a dataset; fails with the data-service's status (NOT_FOUND for an unknown dataset). */
export type BatchStream = (request: StreamBatchesRequest, signal: AbortSignal) => AsyncIterable<Batch>;

export const DEFAULT_EVALUATION_BATCH = 100;

/**
 * EvaluateRobustness: stream the slice from the data-service (a shard: only its batches), attack batch by
 * batch, report progress after each batch and the counts at the end, with the sums of the attacked images
 * and their clean features (from which the caller gets the slice's feature scale). A feature-space attack
 * takes the scale from the request or else first streams the whole slice once to measure std_x and std_g
 * over all of it, so its budget does not depend on the batch size or the shards, and keeps the features
 * of its own batches for the attack (up to MAX_KEPT_FEATURE_BYTES).
 */
export async function evaluateRobustness(
  request: EvaluateRobustnessRequest,
  stream: ServerStreamContext<EvaluateRobustnessUpdate>,
  resolver: ModelResolver,
  batches: BatchStream | undefined,
): Promise<void> {
  const { spec, slice, shard, givenScale } = await refusingBadInput(() => ({
    spec: resolveAttackSpec(request.attack), slice: sliceOf(request), shard: checkShard(request, MAX_ROBUSTNESS_SHARDS), givenScale: featureScaleOf(request),
  }));
  if (!batches) throw failedPrecondition('this attack-service has no data-service to stream datasets from');
  const model = await resolver.resolve(request.model);
  try {
    const imageCount = slice.indices.length || slice.limit || LARGEST_SPLIT;
    const scalePass = spec.space === 'feature' && !givenScale;
    checkAttackCost(model.classifier, Math.ceil(imageCount / shard.count), spec, scalePass ? shard.count : 0);
    const started = Date.now();
    const progress = (stage: string, done: number, total: number) =>
      stream.write({ update: { $case: 'progress', value: { stage, done, total, unit: 'batches', ratePerSecond: done / Math.max((Date.now() - started) / 1000, 1e-3) } } });

    const empty = () => invalidArgument(`offset/limit/indices: the slice of "${truncateForMessage(request.dataset)}" holds no images`);
    // This shard's batches b = index, index + count, … (also checked here: a data-service may serve them all).
    const mine = (batch: Batch) => batch.batchIndex % shard.count === shard.index;
    let scale: SpaceScale | undefined = givenScale;
    // The scale pass computes g of every image; this shard's batches keep theirs for the attack when they fit.
    const features = new Map<number, tf.Tensor2D>();
    try {
      if (scalePass) {
        const meter = new SpaceScaleMeter(model.classifier);
        const keep = (imageCount / shard.count) * model.classifier.spec.featureSize * 4 <= MAX_KEPT_FEATURE_BYTES;
        let seen = 0;
        await forEachBatch(batches, slice, stream, model.classifier, (images, _labels, batch) => {
          if (keep && mine(batch)) features.set(batch.batchIndex, meter.addKeepingFeatures(images));
          else meter.add(images);
          seen += images.shape[0];
          return progress('scale/feature', batch.batchIndex + 1, batch.numBatches);
        });
        if (seen === 0) throw empty();
        scale = meter.scale;
      }
      const budget = await refusingBadInput(() => absoluteBudget(spec, scale));

      // The attacked images and their clean features, summed (the features are computed anyway).
      const sums = new SpaceScaleMeter(model.classifier);
      let counts = NO_IMAGES;
      const own = (b: number) => Math.ceil((b - shard.index) / shard.count);
      await forEachBatch(batches, { ...slice, shardIndex: shard.index, shardCount: shard.count }, stream, model.classifier, async (images, labels, batch) => {
        const kept = features.get(batch.batchIndex);
        if (kept) {
          sums.pixels.add(images);
          sums.features.add(kept);
        }
        const cleanFeatures = kept ?? sums.addKeepingFeatures(images);
        try {
          counts = addCounts(counts, await robustnessOfBatchCancellable(model.classifier, images, labels, spec, { scale, cleanFeatures, signal: stream.signal }));
        } finally {
          cleanFeatures.dispose();
          features.delete(batch.batchIndex);
        }
        return progress(`attack/${spec.space}`, own(batch.batchIndex + 1), own(batch.numBatches));
      }, mine);
      if (counts.total === 0 && shard.count > 1) {
        throw invalidArgument(`shard_index: shard ${shard.index} of ${shard.count} holds no batch (the slice has fewer than ${shard.index + 1} batches of ${slice.batchSize}, or none)`);
      }
      if (counts.total === 0) throw empty();

      const { clean, robust } = accuracies(counts);
      await stream.write({
        update: {
          $case: 'result',
          value: {
            ...counts, cleanAccuracy: clean, robustAccuracy: robust, epsilonUsed: budget.epsilon, stepSizeUsed: budget.stepSize, space: spaceToProto(spec.space),
            pixelSums: sums.pixels.toSums(), featureSums: sums.features.toSums(),
          },
        },
      });
    } finally {
      tf.dispose([...features.values()]);
    }
  } finally {
    model.release();
  }
}

/** Feature tensors of the scale pass kept for the attack pass at most (beyond it g runs again per batch). */
export const MAX_KEPT_FEATURE_BYTES = 256 * 1024 * 1024;

/** Limits of a slice (documented in attack.proto): names are short, explicit indices bounded like a split. */
export const MAX_DATASET_NAME_CHARS = 64;
export const MAX_EVALUATION_BATCH = 1024;

function sliceOf(request: EvaluateRobustnessRequest): StreamBatchesRequest {
  checkString(request.dataset, 'dataset', MAX_DATASET_NAME_CHARS);
  checkCount(request.indices.length, 'indices', LARGEST_SPLIT);
  if (!request.dataset) throw invalidArgument('dataset: required');
  if (request.split !== Split.SPLIT_TRAIN && request.split !== Split.SPLIT_TEST) throw invalidArgument(`split: must be SPLIT_TRAIN or SPLIT_TEST, got ${request.split}`);
  if (request.batchSize < 0 || request.batchSize > MAX_EVALUATION_BATCH) {
    throw invalidArgument(`batch_size: must be in [0, ${MAX_EVALUATION_BATCH}] (0 = ${DEFAULT_EVALUATION_BATCH}), got ${request.batchSize}`);
  }
  if (request.offset < 0) throw invalidArgument(`offset: must be ≥ 0, got ${request.offset}`);
  if (request.limit < 0) throw invalidArgument(`limit: must be ≥ 0, got ${request.limit}`);
  return StreamBatchesRequest.fromPartial({
    dataset: request.dataset,
    split: request.split,
    batchSize: request.batchSize || DEFAULT_EVALUATION_BATCH,
    shuffleSeed: request.shuffleSeed,
    offset: request.offset,
    limit: request.limit,
    indices: request.indices,
  });
}

/** feature_scale: unset, or both stds finite and > 0. */
function featureScaleOf(request: EvaluateRobustnessRequest): SpaceScale | undefined {
  const given = request.featureScale;
  if (!given) return undefined;
  for (const field of ['pixelStd', 'featureStd'] as const) {
    const value = given[field];
    if (!(Number.isFinite(value) && value > 0)) throw invalidArgument(`feature_scale.${field === 'pixelStd' ? 'pixel_std' : 'feature_std'}: must be finite and > 0, got ${value}`);
  }
  return { pixelStd: given.pixelStd, featureStd: given.featureStd, nonNegativeFeatures: given.nonNegativeFeatures };
}

export const MAX_ROBUSTNESS_SHARDS = 1024;

/**
 * Decodes each batch (checked against the model's input shape) and hands it to `visit`; disposes it after.
 * Batches `wanted` rejects (another shard's) are skipped without decoding.
 */
async function forEachBatch(
  batches: BatchStream,
  slice: StreamBatchesRequest,
  stream: ServerStreamContext<unknown>,
  classifier: Classifier,
  visit: (images: tf.Tensor4D, labels: tf.Tensor1D, batch: Batch) => Promise<void> | void,
  wanted: (batch: Batch) => boolean = () => true,
): Promise<void> {
  const [height, width, channels] = classifier.spec.inputShape;
  for await (const batch of batches(slice, stream.signal)) {
    stream.throwIfCancelled();
    if (!wanted(batch)) continue;
    const tensors = await refusingBadInput(() => {
      if (!batch.images || !batch.labels) throw failedPrecondition(`data-service sent batch ${batch.batchIndex} of "${slice.dataset}" without images or labels`);
      const shape = batch.images.shape.slice(1).join(', ');
      if (shape !== [height, width, channels].join(', ')) {
        throw invalidArgument(`dataset: "${slice.dataset}" images are [${shape}], the model (${classifier.spec.architecture}) takes [${height}, ${width}, ${channels}]`);
      }
      const images = fromTensorMessage(batch.images, { name: 'batch images', expectDtype: DType.DTYPE_FLOAT32 }) as tf.Tensor4D;
      const labels = tf.tidy(() => tf.cast(fromTensorMessage(batch.labels!, { name: 'batch labels' }), 'int32') as tf.Tensor1D);
      return { images, labels };
    });
    try {
      await refusingBadInput(() => visit(tensors.images, tensors.labels, batch));
    } finally {
      tf.dispose([tensors.images, tensors.labels]);
    }
  }
}
