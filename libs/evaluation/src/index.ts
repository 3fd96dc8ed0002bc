export type { EpochContext, EpochMeasurements, EpochEvaluator } from './epoch-context';
export { RemoteEpochEvaluator, type RemoteMeasurements, type EvaluatorOptions } from './epoch-evaluator';
export { grpcRemoteServices, type RemoteServices, type GrpcClients } from './remote-services';
export { measureWithRetry, isTransient, type RetryOptions, type Measured } from './retry';
export { featuresAndProbabilities } from './embedding-inputs';
export { connectEvaluator, type EvaluatorAddresses } from './connect-evaluator';
