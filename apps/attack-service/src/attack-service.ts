import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { connectModelServicePeers, type DataClient, type ModelServicePeerOptions } from '@conjugate/clients';
import { AttackServiceService } from '@conjugate/proto';
import { DEFAULT_MAX_MESSAGE_BYTES, startGrpcService, type GrpcServiceHandle, type ServiceHandlers, type ServiceStartOptions } from '@conjugate/service-kit';
import { attackBatch } from './attack-batch';
import { evaluateRobustness, type BatchStream } from './evaluate-robustness';

export interface AttackServiceOptions extends ServiceStartOptions, ModelServicePeerOptions {}

/** Streams a slice from the data-service; aborting the signal cancels the call. */
function batchesFrom(data: DataClient): BatchStream {
  return (request, signal) => data.streamBatchMessages(request, { signal });
}

/**
 * Starts the AttackService. Stateless apart from a cache of checkpoints fetched by reference, so any
 * replica can serve any request. `shutdown()` also closes its clients and frees the cached models.
 */
export async function startAttackService(options: AttackServiceOptions): Promise<GrpcServiceHandle> {
  await initBackend();
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const { data, resolver, close } = connectModelServicePeers({ ...options, maxMessageBytes });
  const batches = data && batchesFrom(data);

  const implementation: ServiceHandlers<typeof AttackServiceService> = {
    attackBatch: (request, context) => attackBatch(request, resolver, context),
    evaluateRobustness: (request, stream) => evaluateRobustness(request, stream, resolver, batches),
  };
  return startGrpcService({ ...options, name: 'attack-service', maxMessageBytes, tensorMemory: () => tf.memory(), services: [{ definition: AttackServiceService, implementation }], release: close });
}
