import { DatasetRegistry, type SyntheticOptions } from '@conjugate/datasets';
import { DataServiceService } from '@conjugate/proto';
import {
  DEFAULT_MAX_MESSAGE_BYTES, invalidArgument, startGrpcService, type GrpcServiceHandle, type ServiceHandlers, type ServiceStartOptions,
} from '@conjugate/service-kit';
import { toDatasetInfo } from './messages';
import { withDatasetStatus } from './status';
import { streamBatches } from './stream-batches';

export interface DataServiceOptions extends ServiceStartOptions {
  /** Largest batch_size accepted. Default 4096. */
  maxBatchSize?: number;
  /** Folder for CIFAR-10 and local dataset copies. Default CONJUGATE_DATA_DIR, else <CONJUGATE_HOME>/data. */
  dataDir?: string;
  /** Shape and sizes of the "synthetic" dataset. */
  synthetic?: SyntheticOptions;
}

export const DEFAULT_MAX_BATCH_SIZE = 4096;

/** Starts the DataService. Decoded datasets are cached in memory, once per process. */
export async function startDataService(options: DataServiceOptions): Promise<GrpcServiceHandle> {
  const env = options.dataDir ? { ...process.env, CONJUGATE_DATA_DIR: options.dataDir } : process.env;
  const registry = new DatasetRegistry({ env, synthetic: options.synthetic });
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const limits = { maxBatchSize: options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE, maxMessageBytes };
  const implementation: ServiceHandlers<typeof DataServiceService> = {
    listDatasets: () => ({ datasets: registry.list().map(toDatasetInfo) }),
    describeDataset: (request) => {
      if (!request.name) throw invalidArgument('name: required (see ListDatasets)');
      return withDatasetStatus(() => toDatasetInfo(registry.describe(request.name)));
    },
    streamBatches: (request, stream) => streamBatches(request, stream, registry, limits),
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
