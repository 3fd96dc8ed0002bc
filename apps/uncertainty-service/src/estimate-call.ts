import type { ModelResolver } from '@conjugate/clients';
import type { EstimateRequest, EstimateUpdate, PacketResult, MergePacketRequest } from '@conjugate/proto';
import { invalidArgument, type ServerStreamContext } from '@conjugate/service-kit';
import {
  ensemblePointRuns,
  estimateOnClassifier,
  estimateOutcomeToProto,
  InvalidEstimateError,
  mergePacketMessages,
  type EstimateProgress,
} from '@conjugate/uncertainty';
import { checkMergeRequest } from './merge-request-checks';
import { resolvePoints, type DatasetSource } from './points';
import { checkEstimateCost, expectedPointCount } from './estimate-cost';
import { DEFAULT_PACKET_POINTS, optionsFromSpec } from './spec-options';

// Progress messages at most this often: enough for a progress bar, cheap for the stream.
const PROGRESS_INTERVAL_MS = 250;

/** Library validation errors are the caller's: INVALID_ARGUMENT with the library's message. */
async function asInvalidArgument<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof InvalidEstimateError) throw invalidArgument(error.message);
    throw error;
  }
}

/**
 * Estimate: resolve the model and the points, run the estimator (this shard of it), stream progress
 * (gradient samples done and samples/s), then one result with summaries, maps and — for the packet
 * estimator — the sufficient statistics a client merges across replicas.
 */
export async function estimate(
  request: EstimateRequest,
  stream: ServerStreamContext<EstimateUpdate>,
  resolver: ModelResolver,
  source: DatasetSource | undefined,
): Promise<void> {
  const options = optionsFromSpec(request.spec);
  const numPoints = request.spec?.numPoints ?? (options.estimator === 'packet' ? DEFAULT_PACKET_POINTS : 0);
  if (numPoints < 0) throw invalidArgument(`spec.num_points: must be ≥ 0, got ${numPoints}`);
  if (options.estimator === 'ensemble' && numPoints === 1) throw invalidArgument('spec.num_points: the ensemble needs M ≥ 2 points, got 1');
  const model = await resolver.resolve(request.model);
  try {
    checkEstimateCost(model.classifier, expectedPointCount(request.points, numPoints), options);
    const ensembleShard = options.estimator === 'ensemble' && options.shardCount > 1
      ? { index: options.shardIndex, count: options.shardCount, batchSize: options.batchSize } : undefined;
    const points = await asInvalidArgument(() => resolvePoints(request.points, { numPoints, seed: options.seed, ensembleShard }, source, stream.signal));
    try {
      const started = Date.now();
      let lastSent = 0;
      let writes = Promise.resolve();
      const onProgress = (progress: EstimateProgress) => {
        const now = Date.now();
        if (now - lastSent < PROGRESS_INTERVAL_MS && progress.done < progress.total) return;
        lastSent = now;
        const perPoint = progress.samples / Math.max(progress.done, 1);
        const value = {
          stage: progress.stage,
          done: progress.samples,
          total: Math.round(perPoint * progress.total),
          unit: 'samples',
          ratePerSecond: progress.samples / Math.max((now - started) / 1000, 1e-3),
        };
        // Writes are queued in order; a failed write (client gone) surfaces through the signal.
        writes = writes.then(() => stream.write({ update: { $case: 'progress', value } })).catch(() => undefined);
      };
      const outcome = await asInvalidArgument(() =>
        estimateOnClassifier(model.classifier, points.images, points.labels, points.pointIds, options, { onProgress, signal: stream.signal }, points.range),
      );
      await writes;
      const { inputShape, featureSize } = model.classifier.spec;
      const pointShape = options.space === 'pixel' ? [...inputShape] : [featureSize];
      // A shard of an ensemble estimate: its per-point inputs first, for the caller to summarise.
      if (outcome.ensembleShard) for (const run of ensemblePointRuns(outcome.ensembleShard)) await stream.write({ update: { $case: 'ensemblePoints', value: run } });
      await stream.write({ update: { $case: 'result', value: estimateOutcomeToProto(outcome, pointShape) } });
    } finally {
      points.images.dispose();
    }
  } finally {
    model.release();
  }
}

/** MergePacket: the summaries of merged shard statistics (INVALID_ARGUMENT when they do not fit together). */
export async function mergePacket(request: MergePacketRequest): Promise<PacketResult> {
  checkMergeRequest(request);
  return asInvalidArgument(async () => mergePacketMessages(request.shards));
}
