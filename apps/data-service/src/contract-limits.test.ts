import { planBatches } from '@conjugate/datasets';
import { contractLimits } from '@conjugate/service-kit';
import { MAX_DATASET_NAME_CHARS } from './data-service';
import { MAX_STREAM_SHARDS } from './stream-batches';

// The (conjugate.v1.limits) options of data.proto equal what the data-service enforces.
describe('data.proto limits = the constants that enforce them', () => {
  it('DescribeDatasetRequest, StreamBatchesRequest', () => {
    const limits = contractLimits(['DescribeDatasetRequest', 'StreamBatchesRequest']);
    expect(limits).toEqual({
      'DescribeDatasetRequest.name': { max_length: MAX_DATASET_NAME_CHARS },
      'StreamBatchesRequest.dataset': { max_length: MAX_DATASET_NAME_CHARS },
      // The maximum is the deployment's MAX_BATCH_SIZE (and the message size): only the minimum is a constant.
      'StreamBatchesRequest.batch_size': { min: 1 },
      // < shard_count: not a constant, in the comment only.
      'StreamBatchesRequest.shard_index': { min: 0 },
      'StreamBatchesRequest.shard_count': { min: 0, max: MAX_STREAM_SHARDS },
    });
    const plan = (batchSize: number) => planBatches({ splitSize: 10, batchSize, maxBatchSize: 10, splitName: 'test', offset: 0, limit: 0, indices: [] });
    const min = limits['StreamBatchesRequest.batch_size']!.min!;
    expect(() => plan(min)).not.toThrow();
    expect(() => plan(min - 1)).toThrow(/batch_size/);
  });
});
