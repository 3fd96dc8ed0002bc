import { RunningMoments, type Sums } from '@conjugate/attacks';
import type { EnsembleInputs } from './ensemble-moments';
import { InvalidEstimateError } from './estimate-options';

/**
 * A sharded ensemble estimate splits its points, not its statistics: each shard runs the forward/backward
 * passes of a contiguous run of whole batches and hands back the per-point inputs; the caller puts them in
 * point order and runs the statistics once (summariseEnsemble). Because every forward batch starts at a
 * shard boundary, each point's loss and score are those of the unsharded pass, bit for bit.
 */

/** The points [first, end) of shard `index` of `count`: whole batches of `batchSize`, split as evenly as they go. */
export function ensembleShardRange(totalPoints: number, batchSize: number, index: number, count: number): { first: number; end: number } {
  const batches = Math.ceil(totalPoints / batchSize);
  if (count > batches) {
    throw new InvalidEstimateError(
      `shard_count: ${count} shards of an ensemble over ${totalPoints} points, which are ${batches} batches of ${batchSize}: each shard needs a batch (at most ${batches} shards, or a smaller batch_size)`,
    );
  }
  const firstBatch = Math.floor((index * batches) / count);
  const endBatch = Math.floor(((index + 1) * batches) / count);
  return { first: firstBatch * batchSize, end: Math.min(endBatch * batchSize, totalPoints) };
}

/** Points first … first + K − 1 of an estimate's list of `total` points: what one shard holds. */
export interface PointRange {
  first: number;
  total: number;
}

/** What one shard of a sharded ensemble estimate hands back. */
export interface EnsembleShardInputs {
  /** Position of the shard's first point in the estimate's point list, and the size of that list. */
  firstPoint: number;
  totalPoints: number;
  labels: number[];
  inputs: EnsembleInputs;
  /** Over the shard's images and over their features. */
  pixels: Sums;
  features: Sums;
}

/** The shards' inputs in point order, checked to hold every point once: the inputs of one unsharded pass. */
export function mergeEnsembleShards(shards: EnsembleShardInputs[]): { inputs: EnsembleInputs; labels: number[]; stdPixel: number; stdFeature: number } {
  if (shards.length === 0) throw new InvalidEstimateError('ensemble shards: none given');
  const ordered = [...shards].sort((a, b) => a.firstPoint - b.firstPoint);
  const { totalPoints } = ordered[0];
  const D = ordered[0].inputs.dimensions;
  let next = 0;
  for (const shard of ordered) {
    const n = shard.labels.length;
    if (shard.totalPoints !== totalPoints) throw new InvalidEstimateError(`ensemble shards: one holds points of an estimate over ${shard.totalPoints} points, another of ${totalPoints}`);
    if (shard.inputs.dimensions !== D) throw new InvalidEstimateError(`ensemble shards: points of ${shard.inputs.dimensions} and of ${D} dimensions`);
    if (shard.firstPoint !== next) {
      throw new InvalidEstimateError(`ensemble shards: points ${next}…${shard.firstPoint - 1} are ${shard.firstPoint > next ? 'missing' : 'held twice'}`);
    }
    if (shard.inputs.logLoss.length !== n || shard.inputs.points.length !== n * D || shard.inputs.scores.length !== n * D) {
      throw new InvalidEstimateError(`ensemble shards: the shard at point ${shard.firstPoint} has ${n} labels but inputs of another size`);
    }
    next += n;
  }
  if (next !== totalPoints) throw new InvalidEstimateError(`ensemble shards: points ${next}…${totalPoints - 1} of ${totalPoints} are missing`);
  const concat = (pick: (inputs: EnsembleInputs) => Float32Array, per: number) => {
    const out = new Float32Array(totalPoints * per);
    for (const shard of ordered) out.set(pick(shard.inputs), shard.firstPoint * per);
    return out;
  };
  return {
    inputs: { points: concat((i) => i.points, D), scores: concat((i) => i.scores, D), logLoss: concat((i) => i.logLoss, 1), dimensions: D },
    labels: ordered.flatMap((s) => s.labels),
    stdPixel: RunningMoments.ofSums(ordered.map((s) => s.pixels)).std,
    stdFeature: RunningMoments.ofSums(ordered.map((s) => s.features)).std,
  };
}
