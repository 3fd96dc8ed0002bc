import { TrainingServiceClient } from '@conjugate/proto';
import { envInt, envOptionalString } from '@conjugate/service-kit';
import { connectDataService, type DataClient } from './data-client';
import { createClient, type ConnectOptions } from './grpc-client';
import { checkpointsFromTrainingService, ModelResolver } from './model-resolver';

/** Where a service that evaluates models (attack-, uncertainty-service) finds its peers. */
export interface ModelServicePeerOptions {
  /** host:port of the data-service; without it, requests that name dataset points answer FAILED_PRECONDITION. */
  dataServiceAddress?: string;
  /** host:port of the training-service; without it only inline models are accepted. */
  trainingServiceAddress?: string;
  /** Checkpoints kept built in memory. Default 4. */
  maxCachedModels?: number;
  /** Bytes of dataset slices kept after streaming them from the data-service (BatchCache; 0: none). Default 256 MiB. */
  dataCacheBytes?: number;
  /** Max bytes per gRPC message, both directions (ours and our clients'). Default 64 MiB. */
  maxMessageBytes?: number;
  /**
   * TLS towards the peers (default from the env: TLS_CA_FILE, and the service's own TLS_CERT_FILE/TLS_KEY_FILE as
   * client certificate). Not `tls`: a service's start options carry its server TLS under that name.
   */
  clientTls?: ConnectOptions['tls'];
}

const DEFAULT_DATA_CACHE_MB = 256;

/** The environment variables behind ModelServicePeerOptions, to extend a service's env schema with. */
export const modelServicePeerEnv = {
  /** host:port of the data-service (dataset slices and points). */
  DATA_SERVICE_ADDRESS: envOptionalString(),
  /** host:port of the training-service (models by reference). */
  TRAINING_SERVICE_ADDRESS: envOptionalString(),
  MAX_CACHED_MODELS: envInt(4, 1, 1000),
  /** MiB of dataset slices kept to serve each epoch's evaluation points again without streaming them (0: none). */
  DATA_CACHE_MB: envInt(DEFAULT_DATA_CACHE_MB, 0, 1 << 20),
};

export function modelServicePeerOptionsFromEnv(config: {
  DATA_SERVICE_ADDRESS?: string;
  TRAINING_SERVICE_ADDRESS?: string;
  MAX_CACHED_MODELS: number;
  DATA_CACHE_MB: number;
}): ModelServicePeerOptions {
  return {
    dataServiceAddress: config.DATA_SERVICE_ADDRESS,
    trainingServiceAddress: config.TRAINING_SERVICE_ADDRESS,
    maxCachedModels: config.MAX_CACHED_MODELS,
    dataCacheBytes: config.DATA_CACHE_MB * 2 ** 20,
  };
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
  const { maxMessageBytes, clientTls: tls } = options;
  const data = options.dataServiceAddress ? connectDataService(options.dataServiceAddress, { maxMessageBytes, tls, cacheBytes: options.dataCacheBytes ?? DEFAULT_DATA_CACHE_MB * 2 ** 20 }) : undefined;
  const training = options.trainingServiceAddress ? createClient(TrainingServiceClient, options.trainingServiceAddress, { maxMessageBytes, tls }) : undefined;
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
