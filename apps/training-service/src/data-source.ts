import * as tf from '@tensorflow/tfjs-core';
import { decodeBatch, type DataClient } from '@conjugate/clients';
import { Split, type Batch as BatchMessage, type DatasetInfo, type StreamBatchesRequest } from '@conjugate/proto';
import type { Batch } from '@conjugate/training';

/** What the trainer needs from the data-service. */
export interface TrainingData {
  /** DescribeDataset; rejects with the data-service's status (NOT_FOUND, UNAVAILABLE, …). */
  describe(dataset: string): Promise<DatasetInfo>;
  /** StreamBatches as tensor batches (the consumer disposes them). `onBatch` sees each message first. */
  batches(request: StreamBatchesRequest, signal: AbortSignal, onBatch?: (message: BatchMessage) => void): AsyncIterable<Batch>;
}

export const DESCRIBE_DEADLINE_MS = 10_000;

/** The data-service over gRPC (libs/clients). Aborting `signal` cancels the stream; errors name the address. */
export function trainingDataFrom(client: DataClient, address: string): TrainingData {
  const named = (error: unknown) => {
    const e = error as { message?: string; details?: string; code?: number };
    if (typeof e?.code !== 'number') return error;
    return Object.assign(new Error(`data-service at ${address}: ${e.message}`), { code: e.code, details: `data-service at ${address}: ${e.details ?? e.message}` });
  };
  return {
    describe: (dataset) => client.describeDataset(dataset, { deadlineMs: DESCRIBE_DEADLINE_MS }).catch((error: unknown) => Promise.reject(named(error))),
    async *batches(request, signal, onBatch) {
      signal.throwIfAborted();
      try {
        for await (const message of client.streamBatchMessages(request, { signal })) {
          onBatch?.(message);
          yield toTensors(message);
        }
      } catch (error) {
        signal.throwIfAborted();
        throw named(error);
      }
    },
  };
}

function toTensors(message: BatchMessage): Batch {
  const { images, shape, labels } = decodeBatch(message);
  return { images: tf.tensor4d(images, shape, 'float32'), labels: tf.tensor1d(labels, 'int32') };
}

/** The test split, first `limit` images (0 = all), in natural order. */
export function testRequest(dataset: string, limit: number, batchSize: number): StreamBatchesRequest {
  return { dataset, split: Split.SPLIT_TEST, batchSize, offset: 0, limit, indices: [] };
}
