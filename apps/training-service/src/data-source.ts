import { setTimeout as sleep } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs-core';
import { decodeBatch, type DataClient } from '@conjugate/clients';
import { Split, StreamBatchesRequest, type Batch as BatchMessage, type DatasetInfo } from '@conjugate/proto';
import type { Batch } from '@conjugate/training';

/** What the trainer needs from the data-service. */
export interface TrainingData {
  /** DescribeDataset; rejects with the data-service's status (NOT_FOUND, UNAVAILABLE, …). */
  describe(dataset: string): Promise<DatasetInfo>;
  /** DescribeDataset, waiting (with backoff, as a dropped stream) for a data-service that is unreachable — down or restarting. */
  describeWhenUp(dataset: string, signal: AbortSignal): Promise<DatasetInfo>;
  /**
   * StreamBatches as tensor batches (the consumer disposes them). `onBatch` sees each message first.
   * A stream the data-service drops (it crashed, it is restarting) is resumed after the last batch
   * received, so the consumer sees the same batches, in the same order, as from an unbroken stream.
   */
  batches(request: StreamBatchesRequest, signal: AbortSignal, onBatch?: (message: BatchMessage) => void): AsyncIterable<Batch>;
}

export interface TrainingDataOptions {
  /** How long a dropped stream is retried without a batch, or an unreachable service waited for, before it fails (default 60 s: a supervised data-service restarts within seconds). */
  resumeWindowMs?: number;
  /** Called before each resume, e.g. to log it. */
  onResume?: (info: { error: Error; batchesReceived: number; retryInMs: number }) => void;
}

export const DESCRIBE_DEADLINE_MS = 10_000;

// A dropped connection (UNAVAILABLE), a stream reset by a dying server (INTERNAL) or one it cancelled on
// shutdown (CANCELLED; our own cancellation is told apart by the signal) will work on another try.
const UNAVAILABLE = 14;
const RESUMABLE_CODES = new Set([1, 13, UNAVAILABLE]);

/** The rest of `request` once `served` images (the first `batches` batches) have been received. */
export function remainderOf(request: StreamBatchesRequest, served: number): StreamBatchesRequest {
  if (request.indices.length > 0) return { ...request, indices: request.indices.slice(served) };
  return { ...request, offset: request.offset + served, limit: request.limit > 0 ? request.limit - served : 0 };
}

/** The data-service over gRPC (libs/clients). Aborting `signal` cancels the stream; errors name the address. */
export function trainingDataFrom(client: DataClient, address: string, options: TrainingDataOptions = {}): TrainingData {
  const resumeWindowMs = options.resumeWindowMs ?? 60_000;
  const named = (error: unknown) => {
    const e = error as { message?: string; details?: string; code?: number };
    if (typeof e?.code !== 'number') return error;
    return Object.assign(new Error(`data-service at ${address}: ${e.message}`), { code: e.code, details: `data-service at ${address}: ${e.details ?? e.message}` });
  };
  const describe = (dataset: string) => client.describeDataset(dataset, { deadlineMs: DESCRIBE_DEADLINE_MS }).catch((error: unknown) => Promise.reject(named(error)));
  return {
    describe,
    async describeWhenUp(dataset, signal) {
      const giveUpAt = Date.now() + resumeWindowMs;
      for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 4000)) {
        try {
          return await describe(dataset);
        } catch (error) {
          signal.throwIfAborted();
          if ((error as { code?: unknown }).code !== UNAVAILABLE || Date.now() + delayMs > giveUpAt) throw error;
          await sleep(delayMs, undefined, { signal });
        }
      }
    },
    async *batches(request, signal, onBatch) {
      signal.throwIfAborted();
      let served = 0; // images received so far
      let received = 0; // batches received so far
      let total: number | undefined; // batches in the whole stream
      let delayMs = 250;
      let giveUpAt = Date.now() + resumeWindowMs;
      for (;;) {
        try {
          for await (const part of client.streamBatchMessages(remainderOf(request, served), { signal })) {
            // A resumed stream numbers its batches from 0: renumber them as in the whole stream.
            total ??= part.numBatches;
            const message = { ...part, batchIndex: received, numBatches: total };
            onBatch?.(message);
            served += message.indices.length;
            received += 1;
            delayMs = 250;
            giveUpAt = Date.now() + resumeWindowMs;
            yield toTensors(message);
          }
          return;
        } catch (error) {
          signal.throwIfAborted();
          const code = (error as { code?: unknown })?.code;
          if (typeof code !== 'number' || !RESUMABLE_CODES.has(code) || Date.now() + delayMs > giveUpAt) throw named(error);
          if (total !== undefined && received >= total) return; // it broke after the last batch
          options.onResume?.({ error: named(error) as Error, batchesReceived: received, retryInMs: delayMs });
          await sleep(delayMs, undefined, { signal });
          delayMs = Math.min(delayMs * 2, 4000);
        }
      }
    },
  };
}

/** What the trainer needs of a data-service in its own process (data-service's LocalDataService). */
export interface InProcessData {
  describeDataset(name: string): Promise<DatasetInfo>;
  streamBatches(request: StreamBatchesRequest, signal?: AbortSignal): AsyncIterable<BatchMessage>;
}

/**
 * The data-service in this process (the embedded stack): the batches StreamBatches would send, read
 * as they are gathered — no encoding, socket or decoding, which cost a tenth of a training epoch — and
 * nothing to wait for or resume.
 */
export function trainingDataInProcess(local: InProcessData): TrainingData {
  return {
    describe: (dataset) => local.describeDataset(dataset),
    describeWhenUp: (dataset) => local.describeDataset(dataset),
    async *batches(request, signal, onBatch) {
      for await (const message of local.streamBatches(request, signal)) {
        onBatch?.(message);
        yield toTensors(message);
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
  return StreamBatchesRequest.fromPartial({ dataset, split: Split.SPLIT_TEST, batchSize, limit });
}
