import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { connectModelServicePeers, type DataClient, type ModelServicePeerOptions } from '@conjugate/clients';
import { UncertaintyServiceService } from '@conjugate/proto';
import { DEFAULT_MAX_MESSAGE_BYTES, startGrpcService, type GrpcServiceHandle, type ServiceHandlers, type ServiceStartOptions } from '@conjugate/service-kit';
import { estimate, mergePacket } from './estimate-call';
import type { BatchStream } from './points';

export interface UncertaintyServiceOptions extends ServiceStartOptions, ModelServicePeerOptions {}

/** Streams a slice from the data-service (decoded); aborting the signal cancels the call. */
function batchesFrom(data: DataClient): BatchStream {
  return (request, signal) => data.streamBatches(request, { signal });
}

/**
 * Starts the UncertaintyService. Stateless apart from a cache of checkpoints fetched by reference, so
 * any replica serves any request or shard. `shutdown()` also closes its clients and frees cached models.
 */
export async function startUncertaintyService(options: UncertaintyServiceOptions): Promise<GrpcServiceHandle> {
  await initBackend();
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const { data, resolver, close } = connectModelServicePeers({ ...options, maxMessageBytes });
  const batches = data && batchesFrom(data);

  const implementation: ServiceHandlers<typeof UncertaintyServiceService> = {
    estimate: (request, stream) => estimate(request, stream, resolver, batches),
    mergePacket: (request) => mergePacket(request),
  };
  return startGrpcService({ ...options, name: 'uncertainty-service', maxMessageBytes, tensorMemory: () => tf.memory(), services: [{ definition: UncertaintyServiceService, implementation }], release: close });
}
