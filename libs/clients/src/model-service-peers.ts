import { TrainingServiceClient } from '@conjugate/proto';
import { connectDataService, type DataClient } from './data-client';
import { createClient } from './grpc-client';
import { checkpointsFromTrainingService, ModelResolver } from './model-resolver';

/** Where a service that evaluates models (attack-, uncertainty-service) finds its peers. */
export interface ModelServicePeerOptions {
  /** host:port of the data-service; without it, requests that name dataset points answer FAILED_PRECONDITION. */
  dataServiceAddress?: string;
  /** host:port of the training-service; without it only inline models are accepted. */
  trainingServiceAddress?: string;
  /** Checkpoints kept built in memory. Default 4. */
  maxCachedModels?: number;
  /** Max bytes per gRPC message, both directions (ours and our clients'). Default 64 MiB. */
  maxMessageBytes?: number;
}

export interface ModelServicePeers {
  data?: DataClient;
  /** Models inline or by reference (fetched from the training-service, cached). */
  resolver: ModelResolver;
  /** Closes the clients and frees the cached models. */
  close(): void;
}

/** The data client and the model resolver such a service needs, built once from its options. */
export function connectModelServicePeers(options: ModelServicePeerOptions & { maxMessageBytes: number }): ModelServicePeers {
  const { maxMessageBytes } = options;
  const data = options.dataServiceAddress ? connectDataService(options.dataServiceAddress, { maxMessageBytes }) : undefined;
  const training = options.trainingServiceAddress ? createClient(TrainingServiceClient, options.trainingServiceAddress, { maxMessageBytes }) : undefined;
  const resolver = new ModelResolver({ fetchCheckpoint: training && checkpointsFromTrainingService(training), maxCachedModels: options.maxCachedModels });
  return {
    data,
    resolver,
    close: () => {
      data?.close();
      training?.close();
      resolver.clear();
    },
  };
}
