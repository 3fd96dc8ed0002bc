import * as tf from '@tensorflow/tfjs-core';

/** One training or evaluation batch. Whoever consumes a batch (trainEpoch, evaluateAccuracy) disposes it. */
export interface Batch {
  /** float32 [B, H, W, C] in [0, 1]. */
  images: tf.Tensor4D;
  /** int32 [B] class indices. */
  labels: tf.Tensor1D;
}

export function disposeBatch(batch: Batch): void {
  tf.dispose([batch.images, batch.labels]);
}

/**
 * Batches of `batchSize` sliced from in-memory images and labels, in order (the last may be smaller).
 * The inputs are not disposed; each yielded batch is a fresh copy its consumer disposes.
 */
export async function* batchesOf(images: tf.Tensor4D, labels: tf.Tensor1D, batchSize: number): AsyncGenerator<Batch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const total = images.shape[0];
  if (labels.shape[0] !== total) throw new RangeError(`labels [${labels.shape}] do not match images [${images.shape}]`);
  for (let start = 0; start < total; start += batchSize) {
    const size = Math.min(batchSize, total - start);
    yield {
      images: tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1]),
      labels: tf.slice(labels, [start], [size]),
    };
  }
}
