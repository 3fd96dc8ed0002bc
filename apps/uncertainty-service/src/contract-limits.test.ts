import { contractLimits } from '@conjugate/service-kit';
import { MAX_DATASET_NAME_CHARS, MAX_POINT_INDICES } from './points';
import { ESTIMATE_LIMITS } from './spec-options';

// The (conjugate.v1.limits) options of uncertainty.proto equal ESTIMATE_LIMITS and the constants of the
// point and merge checks (checkEstimatorSpecLimits, resolvePoints, checkMergeRequest).
describe('uncertainty.proto limits = the constants that enforce them', () => {
  const L = ESTIMATE_LIMITS;
  it('EstimatorSpec (checkEstimatorSpecLimits)', () => {
    expect(contractLimits(['EstimatorSpec'])).toEqual({
      'EstimatorSpec.sigma': { min: 0, exclusive_min: true, max: L.maxSigma, finite: true },
      'EstimatorSpec.num_samples': { min: 2, max: L.maxSamples },
      'EstimatorSpec.num_points': { min: 0, max: L.maxPoints },
      'EstimatorSpec.bootstrap_resamples': { min: 2, max: L.maxBootstrap },
      'EstimatorSpec.jackknife_batches': { min: 2, max: L.maxJackknifeBatches },
      'EstimatorSpec.sigma_sweep': { max_items: L.maxSigmaSweep, min: 0, exclusive_min: true, max: L.maxSigma, finite: true },
      // < shard_count: not a constant, in the comment only.
      'EstimatorSpec.shard_index': { min: 0 },
      'EstimatorSpec.shard_count': { min: 0, max: L.maxShards },
      'EstimatorSpec.batch_size': { min: 0, max: L.maxBatchSize },
    });
  });

  it('PointSelection.DatasetPoints (resolvePoints)', () => {
    expect(contractLimits(['PointSelection.DatasetPoints'])).toEqual({
      'PointSelection.DatasetPoints.dataset': { max_length: MAX_DATASET_NAME_CHARS },
      'PointSelection.DatasetPoints.indices': { max_items: MAX_POINT_INDICES, min: 0 },
    });
  });

  it('MergePacketRequest and its PacketStatistics (checkMergeRequest)', () => {
    expect(contractLimits(['MergePacketRequest', 'PacketStatistics'])).toEqual({
      'MergePacketRequest.shards': { max_items: L.maxShards },
      'PacketStatistics.sigma': { min: 0, exclusive_min: true, finite: true },
      'PacketStatistics.point_ids': { max_items: L.maxPoints },
      'PacketStatistics.samples_per_point': { min: 1, max: L.maxSamples },
      'PacketStatistics.total_batches': { min: 1, max: L.maxJackknifeBatches },
    });
  });
});
