import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { connectModelServicePeers, type DataClient, type ModelServicePeerOptions } from '@conjugate/clients';
import { Split, UncertaintyServiceService } from '@conjugate/proto';
import { DEFAULT_MAX_MESSAGE_BYTES, startGrpcService, type GrpcServiceHandle, type ServiceHandlers, type ServiceStartOptions } from '@conjugate/service-kit';
import { estimate, mergePacket } from './estimate-call';
import type { DatasetSource } from './points';

export interface UncertaintyServiceOptions extends ServiceStartOptions, ModelServicePeerOptions {}

// Labels per message of a labels-only stream (well below any data-service's MAX_BATCH_SIZE).
const LABELS_PER_MESSAGE = 1000;

/** The data-service's slices (decoded) and split sizes; aborting the signal cancels the call. */
function datasetSource(data: DataClient): DatasetSource {
  return {
    batches: (request, signal) => data.streamBatches(request, { signal }),
    splitSize: async (dataset, split, signal) => {
      const info = await data.describeDataset(dataset, { signal });
      return split === Split.SPLIT_TRAIN ? info.trainSize : info.testSize;
    },
    labels: async (dataset, split, signal) => {
      const labels: number[] = [];
      for await (const batch of data.streamLabels({ dataset, split, batchSize: LABELS_PER_MESSAGE }, { signal })) labels.push(...batch.labels);
      return labels;
    },
  };
}

/**
 * Starts the UncertaintyService. Stateless apart from a cache of checkpoints fetched by reference, so
 * any replica serves any request or shard. `shutdown()` also closes its clients and frees cached models.
 */
export async function startUncertaintyService(options: UncertaintyServiceOptions): Promise<GrpcServiceHandle> {
  await initBackend();
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const { data, resolver, close } = connectModelServicePeers({ ...options, maxMessageBytes });
  const source = data && datasetSource(data);

  const implementation: ServiceHandlers<typeof UncertaintyServiceService> = {
    estimate: (request, stream) => estimate(request, stream, resolver, source),
    mergePacket: (request) => mergePacket(request),
  };
  return startGrpcService({ ...options, name: 'uncertainty-service', maxMessageBytes, tensorMemory: () => tf.memory(), services: [{ definition: UncertaintyServiceService, implementation }], release: close });
}
