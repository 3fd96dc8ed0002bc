// Clients of conjugate's services, shared by the apps.
export { checkpointsFromTrainingService, ModelResolver, type CheckpointFetcher, type ModelResolverOptions, type ResolvedModel } from './model-resolver';
export { checkModelSource, MODEL_LIMITS } from './model-source-limits';
export { estimateAcrossReplicas, type FanOutOptions } from './uncertainty-client';
export { ReplicaPool } from './replica-pool';
export { mergeRobustnessResults, robustnessAcrossReplicas, robustnessShards, type RobustnessCall } from './robustness-across-replicas';
export { resolveAllEndpoints, resolveEndpoints, targetOf, type Endpoint } from './endpoints';
export { connectTrainingService, type TrainingClient, type TrainingClientOptions } from './training-client';
export {
  createClient,
  defaultChannelOptions,
  serverStream,
  unaryCall,
  DEFAULT_CLIENT_MAX_MESSAGE_BYTES,
  type CallSettings,
  type ConnectOptions,
} from './grpc-client';
export { channelCredentials, clientTlsFromEnv, tlsChannelOptions, type ClientTlsOptions } from '@conjugate/service-kit';
export { connectDataService, decodeBatch, type DataClient, type DecodedBatch } from './data-client';
export { connectAttackService, type AttackClient, type EvaluateSettings } from './attack-client';
export {
  connectModelServicePeers,
  modelServicePeerEnv,
  modelServicePeerOptionsFromEnv,
  type ModelServicePeerOptions,
  type ModelServicePeers,
} from './model-service-peers';
