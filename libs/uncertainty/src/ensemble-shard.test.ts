import { initBackend } from '@conjugate/backend';
import type { TrainableClassifier } from '@conjugate/models';
import type { EstimateResult } from '@conjugate/proto';
import * as tf from '@tensorflow/tfjs-core';
import { ensembleShardRange, mergeEnsembleShards, type EnsembleShardInputs } from './ensemble-shard';
import { ensemblePointRuns, mergeEnsembleShardStreams, type EnsembleShardStream } from './ensemble-shard-proto';
import { estimateOnClassifier } from './estimate';
import { InvalidEstimateError, resolveEstimateOptions } from './estimate-options';
import { estimateOutcomeToProto } from './proto-result';
import { quadrantImages, trainedTiny } from './trained-tiny';

let classifier: TrainableClassifier;
let images: tf.Tensor4D;
let labels: number[];
const POINTS = 53;

beforeAll(async () => {
  await initBackend();
  classifier = trainedTiny();
  ({ images, labels } = quadrantImages(POINTS, 9));
});

afterAll(() => {
  classifier.dispose();
  images.dispose();
});

describe('ensembleShardRange', () => {
  it('splits whole batches as evenly as they go, the last shard taking the remainder', () => {
    const ranges = [0, 1, 2].map((i) => ensembleShardRange(53, 8, i, 3));
    expect(ranges).toEqual([{ first: 0, end: 16 }, { first: 16, end: 32 }, { first: 32, end: 53 }]);
    expect(ensembleShardRange(53, 8, 0, 1)).toEqual({ first: 0, end: 53 });
  });

  it('refuses more shards than batches, naming the limit', () => {
    expect(() => ensembleShardRange(20, 8, 0, 4)).toThrow(InvalidEstimateError);
    expect(() => ensembleShardRange(20, 8, 0, 4)).toThrow(/shard_count: 4 shards of an ensemble over 20 points, which are 3 batches of 8/);
  });
});

/** One shard's stream as a replica sends it: runs of points, then the result naming the shard. */
async function shardStream(space: 'pixel' | 'feature', shardIndex: number, shardCount: number): Promise<EnsembleShardStream> {
  const options = resolveEstimateOptions({ estimator: 'ensemble', space, seed: 4, bootstrapResamples: 50, batchSize: 8, shardIndex, shardCount });
  const outcome = await estimateOnClassifier(classifier, images, labels, labels.map((_, i) => i), options);
  const pointShape = space === 'pixel' ? [8, 8, 1] : [classifier.spec.featureSize];
  return { runs: ensemblePointRuns(outcome.ensembleShard!), result: estimateOutcomeToProto(outcome, pointShape) };
}

async function unsharded(space: 'pixel' | 'feature'): Promise<EstimateResult> {
  const options = resolveEstimateOptions({ estimator: 'ensemble', space, seed: 4, bootstrapResamples: 50, batchSize: 8 });
  const pointShape = space === 'pixel' ? [8, 8, 1] : [classifier.spec.featureSize];
  return estimateOutcomeToProto(await estimateOnClassifier(classifier, images, labels, labels.map((_, i) => i), options), pointShape);
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('a sharded ensemble estimate', () => {
  it.each(['pixel', 'feature'] as const)('in %s space, merges to the unsharded result: summaries, SEs and maps identical, stds within 1e-12', async (space) => {
    const whole = await unsharded(space);
    const streams = await Promise.all([2, 0, 1].map((i) => shardStream(space, i, 3)));
    // Each shard sent only its own points.
    expect(streams.map((s) => s.result.result?.$case === 'ensemble' && s.result.result.value.shard?.numPoints)).toEqual([21, 16, 16]);
    const merged = await mergeEnsembleShardStreams(streams);
    expect(relative(merged.stdX, whole.stdX)).toBeLessThan(1e-12);
    expect(relative(merged.stdG, whole.stdG)).toBeLessThan(1e-12);
    expect({ ...merged, stdX: 0, stdG: 0 }).toEqual({ ...whole, stdX: 0, stdG: 0 });
    // It is a real estimate, with bootstrap SEs.
    const overall = whole.result?.$case === 'ensemble' ? whole.result.value.overall : undefined;
    expect(overall?.numPoints).toBe(POINTS);
    expect(overall?.meanDp?.standardError).toBeGreaterThan(0);
  });

  it('refuses shards that miss or repeat points, or come from other estimates', async () => {
    const [a, b, c] = await Promise.all([0, 1, 2].map((i) => shardStream('pixel', i, 3)));
    await expect(mergeEnsembleShardStreams([a, c])).rejects.toThrow(/points 16…31 are missing/);
    await expect(mergeEnsembleShardStreams([a, a, b, c])).rejects.toThrow(/held twice/);
    await expect(mergeEnsembleShardStreams([a, b])).rejects.toThrow(/points 32…52 of 53 are missing/);
    await expect(mergeEnsembleShardStreams([a, { ...b, runs: b.runs.slice(1) }, c])).rejects.toThrow(InvalidEstimateError);
    const notAShard = await unsharded('pixel');
    await expect(mergeEnsembleShardStreams([{ runs: [], result: notAShard }])).rejects.toThrow(/shards\[0\]: not the result of an ensemble shard/);
  });

  it('splits a shard into runs of at most ~8 MiB that together hold its points', () => {
    const D = 3 * 32 * 32;
    const n = 1500;
    const shard: EnsembleShardInputs = {
      firstPoint: 100, totalPoints: 5000, labels: Array.from({ length: n }, (_, i) => i % 10),
      inputs: { points: new Float32Array(n * D).fill(0.5), scores: new Float32Array(n * D), logLoss: new Float32Array(n), dimensions: D },
      pixels: { sum: 0, sumSquares: 0, count: 0 }, features: { sum: 0, sumSquares: 0, count: 0 },
    };
    const runs = ensemblePointRuns(shard);
    expect(runs.length).toBeGreaterThan(1);
    expect(runs.map((r) => r.firstPoint)).toEqual(runs.map((_, i) => 100 + i * runs[0].labels.length));
    expect(runs.reduce((a, r) => a + r.labels.length, 0)).toBe(n);
    for (const run of runs) expect(run.points!.data.length + run.scores!.data.length).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(() => mergeEnsembleShards([shard])).toThrow(/points 0…99 are missing/);
  });
});
