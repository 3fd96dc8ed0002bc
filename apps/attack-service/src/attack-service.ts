import { initBackend } from '@conjugate/backend';
import { checkpointsFromTrainingService, connectDataService, createClient, ModelResolver, type DataClient } from '@conjugate/clients';
import { AttackServiceService, TrainingServiceClient } from '@conjugate/proto';
import { DEFAULT_MAX_MESSAGE_BYTES, startGrpcService, type GrpcServiceHandle, type ServiceHandlers, type ServiceStartOptions } from '@conjugate/service-kit';
import { attackBatch } from './attack-batch';
import { evaluateRobustness, type BatchStream } from './evaluate-robustness';

export interface AttackServiceOptions extends ServiceStartOptions {
  /** host:port of the data-service; without it EvaluateRobustness answers FAILED_PRECONDITION. */
  dataServiceAddress?: string;
  /** host:port of the training-service; without it only inline models are accepted. */
  trainingServiceAddress?: string;
  /** Checkpoints kept built in memory. Default 4. */
  maxCachedModels?: number;
  /** Max bytes per gRPC message, both directions (ours and our clients'). Default 64 MiB. */
  maxMessageBytes?: number;
}

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
  const data = options.dataServiceAddress ? connectDataService(options.dataServiceAddress, { maxMessageBytes }) : undefined;
  const training = options.trainingServiceAddress ? createClient(TrainingServiceClient, options.trainingServiceAddress, { maxMessageBytes }) : undefined;
  const resolver = new ModelResolver({ fetchCheckpoint: training && checkpointsFromTrainingService(training), maxCachedModels: options.maxCachedModels });
  const batches = data && batchesFrom(data);

  const implementation: ServiceHandlers<typeof AttackServiceService> = {
    attackBatch: (request) => attackBatch(request, resolver),
    evaluateRobustness: (request, stream) => evaluateRobustness(request, stream, resolver, batches),
  };
  const release = () => {
    data?.close();
    training?.close();
    resolver.clear();
  };
  return startGrpcService({ ...options, name: 'attack-service', maxMessageBytes, services: [{ definition: AttackServiceService, implementation }], release });
}
