import type { Availability, DatasetDescription, ImageBatch } from '@conjugate/datasets';
import { DType, type Batch, type DatasetInfo } from '@conjugate/proto';
import { valuesToTensorMessage } from '@conjugate/tensor';

export function toDatasetInfo(dataset: DatasetDescription & Availability): DatasetInfo {
  return {
    name: dataset.name,
    imageShape: [...dataset.imageShape],
    numClasses: dataset.numClasses,
    classNames: [...dataset.classNames],
    trainSize: dataset.trainSize,
    testSize: dataset.testSize,
    pixelMin: dataset.pixelMin,
    pixelMax: dataset.pixelMax,
    available: dataset.available,
    unavailableReason: dataset.reason,
  };
}

/** A batch message sharing the batch's arrays (no copy). */
export function toBatchMessage(batch: ImageBatch, indices: ArrayLike<number>, batchIndex: number, numBatches: number): Batch {
  return {
    images: valuesToTensorMessage(batch.images, batch.shape, DType.DTYPE_FLOAT32, 'images'),
    labels: valuesToTensorMessage(batch.labels, [batch.labels.length], DType.DTYPE_INT32, 'labels'),
    indices: Array.from(indices),
    batchIndex,
    numBatches,
  };
}

/** A batch message without images (labels_only). */
export function toLabelsMessage(labels: Int32Array, indices: ArrayLike<number>, batchIndex: number, numBatches: number): Batch {
  return { labels: valuesToTensorMessage(labels, [labels.length], DType.DTYPE_INT32, 'labels'), indices: Array.from(indices), batchIndex, numBatches };
}
