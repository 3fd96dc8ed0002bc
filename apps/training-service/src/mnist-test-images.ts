import * as tf from '@tensorflow/tfjs-core';
import { credentials } from '@grpc/grpc-js';
import { DataServiceClient, DType, Split, type Batch } from '@conjugate/proto';
import { fromTensorMessage } from '@conjugate/tensor';

/** The first `count` MNIST test images, fetched from a data-service over gRPC (for tests). */
export async function mnistTestImages(address: string, count: number): Promise<{ images: tf.Tensor4D; labels: tf.Tensor1D }> {
  const client = new DataServiceClient(address, credentials.createInsecure());
  try {
    const batches: Batch[] = [];
    for await (const batch of client.streamBatches({ dataset: 'mnist', split: Split.SPLIT_TEST, batchSize: count, offset: 0, limit: count, indices: [] })) batches.push(batch as Batch);
    const [batch] = batches;
    return {
      images: fromTensorMessage(batch.images!, { expectDtype: DType.DTYPE_FLOAT32 }) as tf.Tensor4D,
      labels: tf.tidy(() => tf.cast(fromTensorMessage(batch.labels!), 'int32') as tf.Tensor1D),
    };
  } finally {
    client.close();
  }
}
