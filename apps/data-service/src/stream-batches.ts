import { gatherBatch, gatherLabels, planBatches, type DatasetRegistry, type SplitName } from '@conjugate/datasets';
import { Split, type Batch, type StreamBatchesRequest } from '@conjugate/proto';
import { checkShard, invalidArgument, type ServerStreamContext } from '@conjugate/service-kit';
import { toBatchMessage, toLabelsMessage } from './messages';
import { withDatasetStatus } from './status';

export interface StreamLimits {
  maxBatchSize: number;
  /** A batch must fit in one gRPC message. */
  maxMessageBytes: number;
}

function splitName(split: Split): SplitName {
  if (split === Split.SPLIT_TRAIN) return 'train';
  if (split === Split.SPLIT_TEST) return 'test';
  throw invalidArgument(`split: must be SPLIT_TRAIN or SPLIT_TEST, got ${split}`);
}

/** Shards a stream may be split into (data.proto: shard_count). */
export const MAX_STREAM_SHARDS = 1024;

/**
 * The batches of a StreamBatches request, one message at a time: validates the whole request before
 * touching files (NOT_FOUND, INVALID_ARGUMENT), then loads the dataset (FAILED_PRECONDITION when its
 * files are missing or corrupt) and gathers each batch (of the requested shard only) when asked for
 * the next. A message shares its batch's arrays: sent over gRPC it is encoded then; in this process it
 * is read as it is.
 */
export async function* batchMessages(request: StreamBatchesRequest, registry: DatasetRegistry, limits: StreamLimits, throwIfCancelled: () => void): AsyncGenerator<Batch> {
  if (!request.dataset) throw invalidArgument('dataset: required (see ListDatasets)');
  const shard = checkShard(request, MAX_STREAM_SHARDS);
  const { plan, split } = await withDatasetStatus(() => {
    const info = registry.describe(request.dataset);
    const split = splitName(request.split);
    const [h, w, c] = info.imageShape;
    const imageBytes = h * w * c * 4;
    const fitsInMessage = Math.max(1, Math.floor((limits.maxMessageBytes - 64 * 1024) / imageBytes));
    const maxBatchSize = request.labelsOnly ? limits.maxBatchSize : Math.min(limits.maxBatchSize, fitsInMessage);
    const plan = planBatches({
      splitSize: split === 'train' ? info.trainSize : info.testSize,
      batchSize: request.batchSize,
      maxBatchSize,
      shuffleSeed: request.shuffleSeed,
      offset: request.offset,
      limit: request.limit,
      indices: request.indices,
      splitName: split,
    });
    return { plan, split };
  });
  const dataset = await withDatasetStatus(() => registry.load(request.dataset));
  throwIfCancelled();
  // Batches keep their numbers in the whole stream; a shard is every shard.count-th of them.
  for (let i = shard.index; i < plan.numBatches; i += shard.count) {
    throwIfCancelled();
    const indices = plan.batch(i);
    yield request.labelsOnly
      ? toLabelsMessage(gatherLabels(dataset, split, indices), indices, i, plan.numBatches)
      : toBatchMessage(gatherBatch(dataset, split, indices), indices, i, plan.numBatches);
  }
}

/**
 * StreamBatches over gRPC: the batches of `batchMessages`, each write waiting for the client to take
 * the last (flow control; at most 16 MiB or one batch queued per stream); a cancelled or expired call
 * stops at the next batch.
 */
export async function streamBatches(
  request: StreamBatchesRequest,
  stream: ServerStreamContext<Batch>,
  registry: DatasetRegistry,
  limits: StreamLimits,
): Promise<void> {
  for await (const message of batchMessages(request, registry, limits, () => stream.throwIfCancelled())) {
    // Its size bounds what a stalled stream queues in bytes (service-kit's maxQueuedStreamBytes).
    await stream.write(message, message.images?.data.length ?? 0);
  }
}
