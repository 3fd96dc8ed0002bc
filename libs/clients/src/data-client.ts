import { Metadata } from '@grpc/grpc-js';
import { DataServiceClient, DType, StreamBatchesRequest, type Batch, type DatasetInfo } from '@conjugate/proto';
import { tensorMessageValues } from '@conjugate/tensor';
import { BatchCache } from './batch-cache';
import { createClient, serverStream, unaryCall, type CallSettings, type ConnectOptions } from './grpc-client';

/** A batch as plain typed arrays: images float32 [B, H, W, C] in [0, 1], labels int32 [B]. */
export interface DecodedBatch {
  images: Float32Array;
  /** [batch, height, width, channels]. */
  shape: [number, number, number, number];
  labels: Int32Array;
  /** Index of each image in its split. */
  indices: number[];
  batchIndex: number;
  numBatches: number;
}

/** Decodes a Batch message, checking dtypes and shapes (views, no copy when aligned). */
export function decodeBatch(batch: Batch): DecodedBatch {
  const where = `batch ${batch.batchIndex}`;
  if (!batch.images || !batch.labels) throw new Error(`${where}: images or labels missing`);
  const images = tensorMessageValues(batch.images, { name: `${where} images`, expectDtype: DType.DTYPE_FLOAT32 });
  const labels = tensorMessageValues(batch.labels, { name: `${where} labels`, expectDtype: DType.DTYPE_INT32 });
  if (images.shape.length !== 4 || labels.shape.length !== 1 || images.shape[0] !== labels.shape[0]) {
    throw new Error(`${where}: images [${images.shape}] and labels [${labels.shape}] do not form a batch`);
  }
  return {
    images: images.values as Float32Array,
    shape: images.shape as [number, number, number, number],
    labels: labels.values as Int32Array,
    indices: batch.indices,
    batchIndex: batch.batchIndex,
    numBatches: batch.numBatches,
  };
}

/** The DataService as promises and async iterables; errors are grpc-js ServiceErrors (code, details). */
export interface DataClient {
  listDatasets(settings?: CallSettings): Promise<DatasetInfo[]>;
  describeDataset(name: string, settings?: CallSettings): Promise<DatasetInfo>;
  /** Decoded batches; breaking out of `for await` or aborting `settings.signal` cancels the stream. */
  streamBatches(request: Partial<StreamBatchesRequest> & { dataset: string }, settings?: CallSettings): AsyncGenerator<DecodedBatch>;
  /** Labels and split indices of a slice, without images (labels_only), same cancellation. */
  streamLabels(request: Partial<StreamBatchesRequest> & { dataset: string }, settings?: CallSettings): AsyncGenerator<{ labels: Int32Array; indices: number[] }>;
  /** The raw Batch messages (tensors still encoded), same cancellation. */
  streamBatchMessages(request: Partial<StreamBatchesRequest> & { dataset: string }, settings?: CallSettings): AsyncGenerator<Batch>;
  close(): void;
  readonly raw: DataServiceClient;
}

export interface DataClientOptions extends ConnectOptions {
  /** Bytes of streamed slices kept to serve the same request again (BatchCache); 0 or unset keeps none. */
  cacheBytes?: number;
}

/** A client for the data-service at host:port. */
export function connectDataService(address: string, options: DataClientOptions = {}): DataClient {
  const raw = createClient(DataServiceClient, address, options);
  const cache = options.cacheBytes ? new BatchCache(options.cacheBytes) : undefined;
  const messages = (partial: Partial<StreamBatchesRequest> & { dataset: string }, settings: CallSettings = {}) => {
    const request = StreamBatchesRequest.fromPartial(partial);
    // Metadata must be passed when options are: grpc-js reads a missing metadata as "options come first".
    const fetch = () => serverStream((callOptions) => raw.streamBatches(request, settings.metadata ?? new Metadata(), callOptions), settings);
    // A call with metadata of its own (a caller's credentials) is never answered from what another read.
    return cache && !settings.metadata ? cache.stream(request, fetch, settings.signal) : fetch();
  };
  return {
    raw,
    listDatasets: async (settings) => (await unaryCall(raw, raw.listDatasets, {}, settings)).datasets,
    describeDataset: (name, settings) => unaryCall(raw, raw.describeDataset, { name }, settings),
    streamBatchMessages: messages,
    async *streamBatches(request, settings) {
      for await (const batch of messages(request, settings)) yield decodeBatch(batch);
    },
    async *streamLabels(request, settings) {
      for await (const batch of messages({ ...request, labelsOnly: true }, settings)) {
        if (!batch.labels) throw new Error(`batch ${batch.batchIndex}: labels missing`);
        const labels = tensorMessageValues(batch.labels, { name: `batch ${batch.batchIndex} labels`, expectDtype: DType.DTYPE_INT32, expectShape: [batch.indices.length] });
        yield { labels: labels.values as Int32Array, indices: batch.indices };
      }
    },
    close: () => raw.close(),
  };
}
