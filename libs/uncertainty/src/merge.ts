import { dimensionCount, type PacketStatistics } from './packet-statistics';

/**
 * Merges shard statistics of one estimate (same points, σ, seed and batch plan; disjoint batches) by
 * concatenating their batches in global batch order. Sums stay per batch, so nothing is rescaled here
 * and the merge is exact: summaries of the merge equal those of one pass over all the samples.
 */
export function mergePacketStatistics(shards: PacketStatistics[]): PacketStatistics {
  if (shards.length === 0) throw new Error('merge: no shard statistics given');
  const first = shards[0];
  const K = first.pointIds.length;
  const D = dimensionCount(first);
  const seen = new Set<number>();
  for (const [j, shard] of shards.entries()) {
    const differs = (what: string) => new Error(`merge: shard ${j} has a different ${what} than shard 0`);
    if (shard.sigma !== first.sigma) throw differs(`sigma (${shard.sigma} vs ${first.sigma})`);
    if (shard.seed !== first.seed) throw differs('seed');
    if (shard.totalBatches !== first.totalBatches) throw differs('total batch count');
    if (shard.pointShape.join() !== first.pointShape.join()) throw differs('point shape');
    if (shard.pointIds.join() !== first.pointIds.join()) throw differs('list of point ids');
    if (shard.labels.join() !== first.labels.join()) throw differs('list of labels');
    for (const b of shard.batchIndices) {
      if (seen.has(b)) throw new Error(`merge: batch ${b} appears in more than one shard (shards overlap)`);
      seen.add(b);
    }
  }
  const sources = shards
    .flatMap((shard) => shard.batchIndices.map((batch, local) => ({ shard, local, batch })))
    .sort((a, b) => a.batch - b.batch);
  const B = sources.length;
  const merged: PacketStatistics = {
    ...first,
    batchIndices: sources.map((s) => s.batch),
    samplesPerPoint: shards.reduce((a, s) => a + s.samplesPerPoint, 0),
    logRef: new Float64Array(K * B),
    sumW: new Float64Array(K * B),
    sumW2: new Float64Array(K * B),
    sumWd: new Float64Array(K * B * D),
    sumWd2: new Float64Array(K * B * D),
    sumWsu2: new Float64Array(K * B * D),
  };
  for (let k = 0; k < K; k++) {
    sources.forEach(({ shard, local }, b) => {
      const from = k * shard.batchIndices.length + local;
      const to = k * B + b;
      merged.logRef[to] = shard.logRef[from];
      merged.sumW[to] = shard.sumW[from];
      merged.sumW2[to] = shard.sumW2[from];
      merged.sumWd.set(shard.sumWd.subarray(from * D, (from + 1) * D), to * D);
      merged.sumWd2.set(shard.sumWd2.subarray(from * D, (from + 1) * D), to * D);
      merged.sumWsu2.set(shard.sumWsu2.subarray(from * D, (from + 1) * D), to * D);
    });
  }
  return merged;
}
