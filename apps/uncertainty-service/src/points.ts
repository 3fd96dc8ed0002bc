import * as tf from '@tensorflow/tfjs-core';
import type { DecodedBatch } from '@conjugate/clients';
import { DType, Split, StreamBatchesRequest, type PointSelection } from '@conjugate/proto';
import { checkCount, checkString, failedPrecondition, invalidArgument } from '@conjugate/service-kit';
import { fromTensorMessage, tensorMessageValues, TensorError } from '@conjugate/tensor';
import { ensembleShardRange, ESTIMATE_LIMITS, stratifiedIndices, type PointRange } from '@conjugate/uncertainty';

/** The data-service as the estimator reads it; both fail with its status (NOT_FOUND for an unknown dataset). */
export interface DatasetSource {
  /** Decoded images of a slice. */
  batches(request: StreamBatchesRequest, signal: AbortSignal): AsyncIterable<DecodedBatch>;
  /** Images in a split. */
  splitSize(dataset: string, split: Split, signal: AbortSignal): Promise<number>;
  /** The labels of a whole split, in index order. */
  labels(dataset: string, split: Split, signal: AbortSignal): Promise<number[]>;
}

/** The evaluation points of one request: images [K, H, W, C], labels and their ids (dataset indices or positions). */
export interface ResolvedPoints {
  images: tf.Tensor4D;
  labels: number[];
  pointIds: number[];
  /** Set when these are only one ensemble shard's points: positions first … first + K − 1 of a list of `total`. */
  range?: PointRange;
}

/** One ensemble shard of a request (shard_count > 1): its run of whole batches is all it reads. */
export interface EnsembleShardOf {
  index: number;
  count: number;
  batchSize: number;
}

const STREAM_BATCH = 500;

/** Limits of dataset points (documented in uncertainty.proto): a short name, explicit indices bounded like num_points. */
export const MAX_DATASET_NAME_CHARS = 64;
export const MAX_POINT_INDICES = ESTIMATE_LIMITS.maxPoints;

function decode<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof TensorError) throw invalidArgument(error.message);
    throw error;
  }
}

function inlinePoints(images: PointSelection['points'] & { $case: 'inline' }): ResolvedPoints {
  const { value } = images;
  if (!value.images) throw invalidArgument('points.inline.images: required (float32 [K, H, W, C] in [0, 1])');
  if (!value.labels) throw invalidArgument('points.inline.labels: required (int32 [K])');
  const labels = decode(() =>
    Array.from(tensorMessageValues(value.labels!, { name: 'points.inline.labels', expectDtype: DType.DTYPE_INT32, expectShape: [null] }).values),
  );
  // The same rule as the attack inputs: pixels are in [0, 1] (checked before any tensor is made).
  const pixels = decode(() => tensorMessageValues(value.images!, { name: 'points.inline.images', expectDtype: DType.DTYPE_FLOAT32, rejectNonFinite: true }).values);
  const outside = pixels.findIndex((v) => !(v >= 0 && v <= 1));
  if (outside >= 0) throw invalidArgument(`points.inline.images: pixel values must be in [0, 1], got ${pixels[outside]} at element ${outside}`);
  const tensor = decode(() =>
    fromTensorMessage(value.images!, { name: 'points.inline.images', expectDtype: DType.DTYPE_FLOAT32, expectShape: [labels.length, null, null, null], rejectNonFinite: true }),
  );
  return { images: tensor as tf.Tensor4D, labels, pointIds: labels.map((_, k) => k) };
}

/** Collects streamed batches into one tensor (in stream order). */
async function collect(stream: AsyncIterable<DecodedBatch>): Promise<ResolvedPoints> {
  const chunks: Float32Array[] = [];
  let shape = [0, 0, 0];
  const labels: number[] = [];
  const pointIds: number[] = [];
  for await (const batch of stream) {
    chunks.push(Float32Array.from(batch.images));
    shape = batch.shape.slice(1);
    labels.push(...batch.labels);
    pointIds.push(...batch.indices);
  }
  const all = new Float32Array(chunks.reduce((a, c) => a + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return { images: tf.tensor4d(all, [labels.length, shape[0], shape[1], shape[2]]), labels, pointIds };
}

/**
 * The request's points: inline tensors, or dataset indices streamed from the data-service. Without
 * explicit indices, `numPoints` are chosen stratified by class with the seed (0 = the whole split).
 * An ensemble shard of explicit indices or of a whole split streams only its own run of points.
 */
export async function resolvePoints(
  selection: PointSelection | undefined,
  { numPoints, seed, ensembleShard }: { numPoints: number; seed: number; ensembleShard?: EnsembleShardOf },
  source: DatasetSource | undefined,
  signal: AbortSignal,
): Promise<ResolvedPoints> {
  const points = selection?.points;
  if (!points) throw invalidArgument('points: required (inline tensors or dataset indices)');
  if (points.$case === 'inline') return inlinePoints(points);
  const { dataset, split, indices } = points.value;
  checkString(dataset, 'points.dataset.dataset', MAX_DATASET_NAME_CHARS);
  checkCount(indices.length, 'points.dataset.indices', MAX_POINT_INDICES);
  if (!dataset) throw invalidArgument('points.dataset.dataset: required');
  if (split !== Split.SPLIT_TRAIN && split !== Split.SPLIT_TEST) {
    throw invalidArgument(`points.dataset.split: must be SPLIT_TRAIN or SPLIT_TEST, got ${split}`);
  }
  const bad = indices.find((i) => !Number.isSafeInteger(i) || i < 0);
  if (bad !== undefined) throw invalidArgument(`points.dataset.indices: ${bad} is not a valid index`);
  if (!source) throw failedPrecondition('points.dataset: this uncertainty-service has no data-service to stream datasets from; send the points inline');
  const batches = (fields: Partial<StreamBatchesRequest>) =>
    collect(source.batches(StreamBatchesRequest.fromPartial({ dataset, split, batchSize: STREAM_BATCH, ...fields }), signal));
  if (ensembleShard) {
    const total = indices.length > 0 ? indices.length : await source.splitSize(dataset, split, signal);
    if (indices.length > 0 || numPoints === 0 || numPoints >= total) {
      const { first, end } = ensembleShardRange(total, ensembleShard.batchSize, ensembleShard.index, ensembleShard.count);
      const mine = indices.length > 0 ? await batches({ indices: indices.slice(first, end) }) : await batches({ offset: first, limit: end - first });
      return { ...mine, range: { first, total } };
    }
  }
  if (indices.length > 0) return batches({ indices });
  if (numPoints === 0) return batches({});
  // num_points by class: the split's labels first, then the images of the chosen points only.
  const labels = await source.labels(dataset, split, signal);
  if (numPoints >= labels.length) return batches({});
  return batches({ indices: stratifiedIndices(labels, numPoints, seed) });
}
