import { initBackend } from '@conjugate/backend';
import { checkpointsFromTrainingService, connectDataService, createClient, ModelResolver, type DataClient } from '@conjugate/clients';
import { TrainingServiceClient, UncertaintyServiceService } from '@conjugate/proto';
import { DEFAULT_MAX_MESSAGE_BYTES, startGrpcService, type GrpcServiceHandle, type ServiceHandlers, type ServiceStartOptions } from '@conjugate/service-kit';
import { estimate, mergePacket } from './estimate-call';
import type { BatchStream } from './points';

export interface UncertaintyServiceOptions extends ServiceStartOptions {
  /** host:port of the data-service; without it only inline points are accepted. */
  dataServiceAddress?: string;
  /** host:port of the training-service; without it only inline models are accepted. */
  trainingServiceAddress?: string;
  /** Checkpoints kept built in memory. Default 4. */
  maxCachedModels?: number;
  /** Max bytes per gRPC message, both directions (ours and our clients'). Default 64 MiB. */
  maxMessageBytes?: number;
}

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
  const data = options.dataServiceAddress ? connectDataService(options.dataServiceAddress, { maxMessageBytes }) : undefined;
  const training = options.trainingServiceAddress ? createClient(TrainingServiceClient, options.trainingServiceAddress, { maxMessageBytes }) : undefined;
  const resolver = new ModelResolver({ fetchCheckpoint: training && checkpointsFromTrainingService(training), maxCachedModels: options.maxCachedModels });
  const batches = data && batchesFrom(data);

  const implementation: ServiceHandlers<typeof UncertaintyServiceService> = {
    estimate: (request, stream) => estimate(request, stream, resolver, batches),
    mergePacket: (request) => mergePacket(request),
  };
  const release = () => {
    data?.close();
    training?.close();
    resolver.clear();
  };
  return startGrpcService({ ...options, name: 'uncertainty-service', maxMessageBytes, services: [{ definition: UncertaintyServiceService, implementation }], release });
}
