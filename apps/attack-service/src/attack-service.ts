import { credentials, type ChannelOptions } from '@grpc/grpc-js';
import { initBackend } from '@conjugate/backend';
import { checkpointsFromTrainingService, ModelResolver } from '@conjugate/clients';
import { AttackServiceService, DataServiceClient, TrainingServiceClient, type Batch } from '@conjugate/proto';
import { DEFAULT_MAX_MESSAGE_BYTES, startGrpcService, type GrpcServiceHandle, type Logger, type ServiceHandlers } from '@conjugate/service-kit';
import { attackBatch } from './attack-batch';
import { evaluateRobustness, type BatchStream } from './evaluate-robustness';

export interface AttackServiceOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 0.0.0.0. */
  host?: string;
  /** host:port of the data-service; without it EvaluateRobustness answers FAILED_PRECONDITION. */
  dataServiceAddress?: string;
  /** host:port of the training-service; without it only inline models are accepted. */
  trainingServiceAddress?: string;
  /** Checkpoints kept built in memory. Default 4. */
  maxCachedModels?: number;
  /** Max bytes per gRPC message, both directions (ours and our clients'). Default 64 MiB. */
  maxMessageBytes?: number;
  metricsPort?: number;
  reflection?: boolean;
  protoDir?: string;
  shutdownGraceMs?: number;
  logger?: Logger;
}

/** Streams a slice from the data-service; aborting the signal cancels the call. */
function batchesFrom(client: DataServiceClient): BatchStream {
  return async function* (request, signal) {
    const call = client.streamBatches(request);
    const cancel = () => call.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    try {
      for await (const batch of call) yield batch as Batch;
    } finally {
      signal.removeEventListener('abort', cancel);
      call.cancel();
    }
  };
}

/**
 * Starts the AttackService. Stateless apart from a cache of checkpoints fetched by reference, so any
 * replica can serve any request. `shutdown()` also closes its clients and frees the cached models.
 */
export async function startAttackService(options: AttackServiceOptions): Promise<GrpcServiceHandle> {
  await initBackend();
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const channelOptions: ChannelOptions = { 'grpc.max_receive_message_length': maxMessageBytes, 'grpc.max_send_message_length': maxMessageBytes };
  const data = options.dataServiceAddress ? new DataServiceClient(options.dataServiceAddress, credentials.createInsecure(), channelOptions) : undefined;
  const training = options.trainingServiceAddress ? new TrainingServiceClient(options.trainingServiceAddress, credentials.createInsecure(), channelOptions) : undefined;
  const resolver = new ModelResolver({ fetchCheckpoint: training && checkpointsFromTrainingService(training), maxCachedModels: options.maxCachedModels });
  const batches = data && batchesFrom(data);

  const implementation: ServiceHandlers<typeof AttackServiceService> = {
    attackBatch: (request) => attackBatch(request, resolver),
    evaluateRobustness: (request, stream) => evaluateRobustness(request, stream, resolver, batches),
  };
  const closeClients = () => {
    data?.close();
    training?.close();
    resolver.clear();
  };
  let service: GrpcServiceHandle;
  try {
    service = await startGrpcService({ ...options, name: 'attack-service', maxMessageBytes, services: [{ definition: AttackServiceService, implementation }] });
  } catch (error) {
    closeClients();
    throw error;
  }
  const shutdown = service.shutdown;
  return {
    ...service,
    shutdown: async (graceMs?: number) => {
      await shutdown(graceMs);
      closeClients();
    },
  };
}
