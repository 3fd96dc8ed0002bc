import type { MergePacketRequest } from '@conjugate/proto';
import { checkCount, checkFinite, checkInteger, invalidArgument } from '@conjugate/service-kit';
import { float64FromTensorMessage, TensorError } from '@conjugate/tensor';
import { ESTIMATE_LIMITS } from './spec-options';

const STATISTICS = ['log_ref', 'sum_w', 'sum_w2', 'sum_wd', 'sum_wd2', 'sum_wsu2'] as const;
const FIELDS = { log_ref: 'logRef', sum_w: 'sumW', sum_w2: 'sumW2', sum_wd: 'sumWd', sum_wd2: 'sumWd2', sum_wsu2: 'sumWsu2' } as const;

/**
 * MergePacket's shards, checked before merging: sizes bounded, statistics finite, samples per point
 * positive, and together the shards hold every jackknife batch of the estimate exactly once
 * (a merge of some shards only would summarise fewer samples than it claims).
 */
export function checkMergeRequest(request: MergePacketRequest): void {
  checkCount(request.shards.length, 'shards', ESTIMATE_LIMITS.maxShards);
  if (request.shards.length === 0) throw invalidArgument('shards: at least one shard required');
  const total = request.shards[0]!.totalBatches;
  checkInteger(total, 'shards[0].total_batches', 1, ESTIMATE_LIMITS.maxJackknifeBatches);
  const seen = new Set<number>();
  request.shards.forEach((shard, j) => {
    const field = (name: string) => `shards[${j}].${name}`;
    checkFinite(shard.sigma, field('sigma'), 0, Number.MAX_VALUE, true);
    checkInteger(shard.samplesPerPoint, field('samples_per_point'), 1, ESTIMATE_LIMITS.maxSamples);
    checkCount(shard.pointIds.length, field('point_ids'), ESTIMATE_LIMITS.maxPoints);
    if (shard.totalBatches !== total) throw invalidArgument(`${field('total_batches')}: ${shard.totalBatches}, but shard 0 says ${total}`);
    shard.batchIndices.forEach((b, i) => {
      checkInteger(b, field(`batch_indices[${i}]`), 0, total - 1);
      if (seen.has(b)) throw invalidArgument(`${field(`batch_indices[${i}]`)}: batch ${b} appears in more than one shard`);
      seen.add(b);
    });
    for (const name of STATISTICS) {
      const tensor = shard[FIELDS[name]];
      if (!tensor) throw invalidArgument(`${field(name)}: required`);
      try {
        float64FromTensorMessage(tensor, { name: field(name), rejectNonFinite: true });
      } catch (error) {
        if (error instanceof TensorError) throw invalidArgument(error.message);
        throw error;
      }
    }
  });
  if (seen.size !== total) {
    const missing = Array.from({ length: total }, (_, b) => b).filter((b) => !seen.has(b));
    throw invalidArgument(`shards: batches ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''} of ${total} are missing (send every shard of the estimate)`);
  }
}
