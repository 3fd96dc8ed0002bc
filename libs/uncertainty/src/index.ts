// The two Δx / Δp estimators of docs/uncertainty.md: ensemble (§1) and packet (§2), pure functions.
export { classifierLogLoss, logLossAndScore, stableLogLoss, type EstimatorSpace, type LogLossModel } from './log-loss';
export { estimateEnsemble, summariseEnsemble, type EnsembleOptions, type EnsembleReport } from './ensemble';
export { ensembleShardRange, mergeEnsembleShards, type EnsembleShardInputs, type PointRange } from './ensemble-shard';
export { ensemblePointRuns, mergeEnsembleShardStreams, type EnsembleShardStream } from './ensemble-shard-proto';
export type { EnsembleSummary } from './ensemble-summary';
export { estimatePacket, type PacketEstimate } from './packet';
export { samplePacket, type PacketPoints, type PacketSamplingOptions } from './packet-sampler';
export type { PacketStatistics } from './packet-statistics';
export { summarisePacket, LOW_ESS_FRACTION, type PacketReport, type PacketSummary } from './packet-summary';
export type { PacketPointEstimate } from './packet-point';
export { mergePacketStatistics } from './merge';
export { featureSigma, pooledStd } from './feature-scale';
export type { EstimateValue } from './estimate-value';
export {
  DEFAULT_ESTIMATE_OPTIONS,
  InvalidEstimateError,
  resolveEstimateOptions,
  type EstimateOptions,
  type EstimatorName,
} from './estimate-options';
export { checkEstimatorSpecLimits, ESTIMATE_LIMITS } from './estimate-limits';
export { estimateOnClassifier, validatePoints, type EstimateOutcome, type EstimateProgress } from './estimate';
export {
  ensembleReportToProto,
  estimateOutcomeToProto,
  mergeEstimateResults,
  mergePacketMessages,
  packetReportToProto,
  packetStatisticsFromProto,
  packetStatisticsToProto,
} from './proto-result';
export { stratifiedIndices } from './stratified';
export { constantLoss, logLinearLoss, quadraticLoss } from './closed-form-losses';
