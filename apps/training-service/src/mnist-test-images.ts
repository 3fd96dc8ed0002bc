import * as tf from '@tensorflow/tfjs-core';
import { connectDataService } from '@conjugate/clients';
import { Split } from '@conjugate/proto';

/** The first `count` MNIST test images, fetched from a data-service over gRPC (for tests). */
export async function mnistTestImages(address: string, count: number): Promise<{ images: tf.Tensor4D; labels: tf.Tensor1D }> {
  const client = connectDataService(address);
  try {
    for await (const batch of client.streamBatches({ dataset: 'mnist', split: Split.SPLIT_TEST, batchSize: count, limit: count })) {
      return { images: tf.tensor4d(batch.images, batch.shape), labels: tf.tensor1d(batch.labels, 'int32') };
    }
    throw new Error('the data-service sent no MNIST test batch');
  } finally {
    client.close();
  }
}
