import { DatasetRegistry, type SyntheticOptions } from '@conjugate/datasets';
import { DataServiceService, type Batch, type DatasetInfo, type StreamBatchesRequest } from '@conjugate/proto';
import {
  checkString, DEFAULT_MAX_MESSAGE_BYTES, invalidArgument, startGrpcService, type GrpcServiceHandle, type ServiceHandlers, type ServiceStartOptions,
} from '@conjugate/service-kit';
import { toDatasetInfo } from './messages';
import { withDatasetStatus } from './status';
import { OpenStreams } from './open-streams';
import { batchMessages, streamBatches } from './stream-batches';

export interface DataServiceOptions extends ServiceStartOptions {
  /** Largest batch_size accepted. Default 4096. */
  maxBatchSize?: number;
  /** Folder for CIFAR-10 and local dataset copies. Default CONJUGATE_DATA_DIR, else <CONJUGATE_HOME>/data. */
  dataDir?: string;
  /** StreamBatches calls open at once (more are RESOURCE_EXHAUSTED). Default 32. */
  maxOpenStreams?: number;
  /** Shape and sizes of the "synthetic" dataset. */
  synthetic?: SyntheticOptions;
}

export const DEFAULT_MAX_BATCH_SIZE = 4096;
export const DEFAULT_MAX_OPEN_STREAMS = 32;
/** Dataset names are short registry names: a longer one is refused before it is looked up or quoted. */
export const MAX_DATASET_NAME_CHARS = 64;

/**
 * DescribeDataset and StreamBatches for a caller in the same process (the embedded stack's training):
 * the same answers and errors as over gRPC, the batches' arrays as gathered — no encoding, no socket.
 */
export interface LocalDataService {
  describeDataset(name: string): Promise<DatasetInfo>;
  /** Breaking out of `for await` or aborting `signal` ends the stream at the next batch. */
  streamBatches(request: StreamBatchesRequest, signal?: AbortSignal): AsyncGenerator<Batch>;
}

export interface DataServiceHandle extends GrpcServiceHandle {
  local: LocalDataService;
}

/** Starts the DataService. Decoded datasets are cached in memory, once per process. */
export async function startDataService(options: DataServiceOptions): Promise<DataServiceHandle> {
  const env = options.dataDir ? { ...process.env, CONJUGATE_DATA_DIR: options.dataDir } : process.env;
  const registry = new DatasetRegistry({ env, synthetic: options.synthetic });
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const limits = { maxBatchSize: options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE, maxMessageBytes };
  const openStreams = new OpenStreams(options.maxOpenStreams ?? DEFAULT_MAX_OPEN_STREAMS);
  const describeDataset = (name: string) => {
    checkString(name, 'name', MAX_DATASET_NAME_CHARS);
    if (!name) throw invalidArgument('name: required (see ListDatasets)');
    return withDatasetStatus(() => toDatasetInfo(registry.describe(name)));
  };
  const implementation: ServiceHandlers<typeof DataServiceService> = {
    listDatasets: () => ({ datasets: registry.list().map(toDatasetInfo) }),
    describeDataset: (request) => describeDataset(request.name),
    streamBatches: (request, stream) => {
      checkString(request.dataset, 'dataset', MAX_DATASET_NAME_CHARS);
      return openStreams.run(() => streamBatches(request, stream, registry, limits));
    },
  };
  const service = await startGrpcService({
    ...options,
    name: 'data-service',
    maxMessageBytes,
    services: [{ definition: DataServiceService, implementation }],
  });
  for (const dataset of registry.list()) {
    if (!dataset.available) service.logger.warn({ dataset: dataset.name }, dataset.reason);
  }
  const local: LocalDataService = {
    describeDataset: async (name) => describeDataset(name),
    streamBatches(request, signal) {
      checkString(request.dataset, 'dataset', MAX_DATASET_NAME_CHARS);
      return batchMessages(request, registry, limits, () => signal?.throwIfAborted());
    },
  };
  return Object.assign(service, { local });
}
