import { RunningMoments } from '@conjugate/attacks';
import type { EvaluateRobustnessRequest, Progress, RobustnessResult, ValueSums } from '@conjugate/proto';
import { shardsOfBatches } from './shards-of-batches';

/** One EvaluateRobustness call to its result (the caller picks channel, deadline and cancellation). */
export type RobustnessCall = (request: EvaluateRobustnessRequest, onProgress: (progress: Progress) => void, signal: AbortSignal) => Promise<RobustnessResult>;

/** Shards worth making: at most one per batch of the slice (when its size is known) and at least one. */
export function robustnessShards(request: EvaluateRobustnessRequest, wanted: number, defaultBatchSize = 100): number {
  return shardsOfBatches(wanted, request.indices.length || request.limit, request.batchSize || defaultBatchSize);
}

/** The sums of the values of disjoint sets: those of their union (undefined when a set's are unknown). */
function addValueSums(parts: (ValueSums | undefined)[]): ValueSums | undefined {
  if (parts.some((p) => p === undefined)) return undefined;
  return RunningMoments.ofSums(parts as ValueSums[]).toSums();
}

/** The counts and sums of shards of one evaluation, added up (their budgets must agree: the same slice and attack). */
export function mergeRobustnessResults(results: RobustnessResult[]): RobustnessResult {
  if (results.length === 0) throw new Error('mergeRobustnessResults: no shard results');
  const first = results[0];
  for (const [i, r] of results.entries()) {
    if (r.epsilonUsed !== first.epsilonUsed || r.stepSizeUsed !== first.stepSizeUsed || r.space !== first.space) {
      throw new Error(`mergeRobustnessResults: shard ${i} used ε ${r.epsilonUsed}, α ${r.stepSizeUsed} in space ${r.space}; shard 0 used ε ${first.epsilonUsed}, α ${first.stepSizeUsed} in space ${first.space}`);
    }
  }
  const total = results.reduce((a, r) => a + r.total, 0);
  const cleanCorrect = results.reduce((a, r) => a + r.cleanCorrect, 0);
  const robustCorrect = results.reduce((a, r) => a + r.robustCorrect, 0);
  return {
    ...first, total, cleanCorrect, robustCorrect, cleanAccuracy: cleanCorrect / total, robustAccuracy: robustCorrect / total,
    pixelSums: addValueSums(results.map((r) => r.pixelSums)), featureSums: addValueSums(results.map((r) => r.featureSums)),
  };
}

/**
 * One robust-accuracy evaluation as `shards` concurrent calls, shard i attacking the batches b with
 * b mod shards = i (attack.proto), merged by adding counts: equal to one unsharded call. On a round_robin
 * channel whose target reaches several attack-service replicas, the concurrent calls go to different ones.
 * Progress is summed over the shards. If one shard fails the others are cancelled (their `signal` aborts).
 */
export async function robustnessAcrossReplicas(request: EvaluateRobustnessRequest, shards: number, call: RobustnessCall, onProgress: (progress: Progress) => void = () => undefined): Promise<RobustnessResult> {
  const count = robustnessShards(request, shards);
  const abort = new AbortController();
  if (count === 1) return call({ ...request, shardIndex: 0, shardCount: 0 }, onProgress, abort.signal);
  const latest: (Progress | undefined)[] = Array.from({ length: count }, () => undefined);
  const report = () => {
    const known = latest.filter((p): p is Progress => p !== undefined);
    onProgress({
      stage: known[known.length - 1].stage,
      done: known.reduce((a, p) => a + p.done, 0),
      total: known.reduce((a, p) => a + p.total, 0),
      unit: known[0].unit,
      ratePerSecond: known.reduce((a, p) => a + p.ratePerSecond, 0),
    });
  };
  const results = await Promise.all(Array.from({ length: count }, (_, shardIndex) =>
    call({ ...request, shardIndex, shardCount: count }, (progress) => {
      latest[shardIndex] = progress;
      report();
    }, abort.signal).catch((error: unknown) => {
      abort.abort(error);
      throw error;
    })));
  return mergeRobustnessResults(results);
}
