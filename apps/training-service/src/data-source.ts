import * as tf from '@tensorflow/tfjs-core';
import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { DType, Split, type Batch as BatchMessage, type DataServiceClient, type DatasetInfo, type StreamBatchesRequest } from '@conjugate/proto';
import { fromTensorMessage } from '@conjugate/tensor';
import type { Batch } from '@conjugate/training';

/** What the trainer needs from the data-service. */
export interface TrainingData {
  /** DescribeDataset; rejects with the data-service's status (NOT_FOUND, UNAVAILABLE, …). */
  describe(dataset: string): Promise<DatasetInfo>;
  /** StreamBatches as decoded tensor batches (the consumer disposes them). `onBatch` sees each raw message first. */
  batches(request: StreamBatchesRequest, signal: AbortSignal, onBatch?: (message: BatchMessage) => void): AsyncIterable<Batch>;
}

export const DESCRIBE_DEADLINE_MS = 10_000;

/** The data-service over gRPC. Cancelling `signal` cancels the stream. */
export function trainingDataFrom(client: DataServiceClient, address: string): TrainingData {
  const unreachable = (error: ServiceError) =>
    Object.assign(new Error(`data-service at ${address}: ${error.message}`), { code: error.code, details: `data-service at ${address}: ${error.details}` });
  return {
    describe: (dataset) =>
      new Promise((resolve, reject) =>
        client.describeDataset({ name: dataset }, new Metadata(), { deadline: Date.now() + DESCRIBE_DEADLINE_MS }, (error, info) =>
          error ? reject(unreachable(error)) : resolve(info),
        ),
      ),
    async *batches(request, signal, onBatch) {
      signal.throwIfAborted();
      const call = client.streamBatches(request);
      const cancel = () => call.cancel();
      signal.addEventListener('abort', cancel, { once: true });
      try {
        for await (const message of call as AsyncIterable<BatchMessage>) {
          onBatch?.(message);
          yield decodeBatch(message, request);
        }
      } catch (error) {
        signal.throwIfAborted();
        throw 'code' in (error as object) ? unreachable(error as ServiceError) : error;
      } finally {
        signal.removeEventListener('abort', cancel);
        call.cancel();
      }
    },
  };
}

function decodeBatch(message: BatchMessage, request: StreamBatchesRequest): Batch {
  const where = `data-service batch ${message.batchIndex} of "${request.dataset}"`;
  if (!message.images || !message.labels) throw new Error(`${where} came without images or labels`);
  const images = fromTensorMessage(message.images, { name: `${where} images`, expectDtype: DType.DTYPE_FLOAT32 }) as tf.Tensor4D;
  const labels = tf.tidy(() => tf.cast(fromTensorMessage(message.labels!, { name: `${where} labels` }), 'int32') as tf.Tensor1D);
  return { images, labels };
}

/** The test split, first `limit` images (0 = all), in natural order. */
export function testRequest(dataset: string, limit: number, batchSize: number): StreamBatchesRequest {
  return { dataset, split: Split.SPLIT_TEST, batchSize, offset: 0, limit, indices: [] };
}
