import { DatasetRegistry, type SyntheticOptions } from '@conjugate/datasets';
import { DataServiceService } from '@conjugate/proto';
import {
  checkString, DEFAULT_MAX_MESSAGE_BYTES, invalidArgument, startGrpcService, type GrpcServiceHandle, type ServiceHandlers, type ServiceStartOptions,
} from '@conjugate/service-kit';
import { toDatasetInfo } from './messages';
import { withDatasetStatus } from './status';
import { OpenStreams } from './open-streams';
import { streamBatches } from './stream-batches';

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

/** Starts the DataService. Decoded datasets are cached in memory, once per process. */
export async function startDataService(options: DataServiceOptions): Promise<GrpcServiceHandle> {
  const env = options.dataDir ? { ...process.env, CONJUGATE_DATA_DIR: options.dataDir } : process.env;
  const registry = new DatasetRegistry({ env, synthetic: options.synthetic });
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const limits = { maxBatchSize: options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE, maxMessageBytes };
  const openStreams = new OpenStreams(options.maxOpenStreams ?? DEFAULT_MAX_OPEN_STREAMS);
  const implementation: ServiceHandlers<typeof DataServiceService> = {
    listDatasets: () => ({ datasets: registry.list().map(toDatasetInfo) }),
    describeDataset: (request) => {
      checkString(request.name, 'name', MAX_DATASET_NAME_CHARS);
      if (!request.name) throw invalidArgument('name: required (see ListDatasets)');
      return withDatasetStatus(() => toDatasetInfo(registry.describe(request.name)));
    },
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
  return service;
}
