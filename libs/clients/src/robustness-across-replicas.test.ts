import { Space, Split, type EvaluateRobustnessRequest, type Progress, type RobustnessResult } from '@conjugate/proto';
import { mergeRobustnessResults, robustnessAcrossReplicas, robustnessShards } from './robustness-across-replicas';

const request: EvaluateRobustnessRequest = {
  dataset: 'mnist', split: Split.SPLIT_TEST, offset: 0, limit: 250, indices: [], batchSize: 100, shardIndex: 0, shardCount: 0,
};
const result = (total: number, cleanCorrect: number, robustCorrect: number, epsilonUsed = 0.03): RobustnessResult => ({
  total, cleanCorrect, robustCorrect, cleanAccuracy: cleanCorrect / total, robustAccuracy: robustCorrect / total, epsilonUsed, stepSizeUsed: 0.01, space: Space.SPACE_PIXEL,
});

describe('robustnessShards', () => {
  it('makes at most one shard per batch of the slice, and at least one', () => {
    expect(robustnessShards(request, 8)).toBe(3);
    expect(robustnessShards(request, 2)).toBe(2);
    expect(robustnessShards(request, 0)).toBe(1);
    expect(robustnessShards({ ...request, limit: 0 }, 8)).toBe(8);
    expect(robustnessShards({ ...request, indices: [1, 2, 3] }, 8)).toBe(1);
  });
});

describe('mergeRobustnessResults', () => {
  it('adds the counts and recomputes the accuracies', () => {
    expect(mergeRobustnessResults([result(200, 180, 90), result(50, 40, 10)])).toEqual(result(250, 220, 100));
  });

  it('adds the sums of the shards\' images and features (the slice\'s feature scale), unknown if one shard has none', () => {
    const sums = (sum: number, count: number, min: number) => ({ sum, sumSquares: 2 * sum, count, min });
    const a = { ...result(200, 180, 90), pixelSums: sums(10, 100, 0), featureSums: sums(5, 40, 0.5) };
    const b = { ...result(50, 40, 10), pixelSums: sums(1, 25, 0), featureSums: sums(2, 10, -1) };
    expect(mergeRobustnessResults([a, b])).toMatchObject({ pixelSums: sums(11, 125, 0), featureSums: sums(7, 50, -1) });
    expect(mergeRobustnessResults([a, result(50, 40, 10)]).featureSums).toBeUndefined();
  });

  it('refuses shards with different budgets', () => {
    expect(() => mergeRobustnessResults([result(200, 180, 90), result(50, 40, 10, 0.1)])).toThrow(/shard 1 used ε 0.1/);
  });
});

describe('robustnessAcrossReplicas', () => {
  it('sends shard i of n to the call, sums progress, and merges the counts', async () => {
    const seen: EvaluateRobustnessRequest[] = [];
    const progress: Progress[] = [];
    const merged = await robustnessAcrossReplicas(request, 2, async (shardRequest, onProgress) => {
      seen.push(shardRequest);
      onProgress({ stage: 'attack/pixel', done: 1, total: shardRequest.shardIndex === 0 ? 2 : 1, unit: 'batches', ratePerSecond: 1 });
      return shardRequest.shardIndex === 0 ? result(200, 180, 90) : result(50, 40, 10);
    }, (p) => progress.push(p));
    expect(seen.map((r) => [r.shardIndex, r.shardCount])).toEqual([[0, 2], [1, 2]]);
    expect(merged).toEqual(result(250, 220, 100));
    expect(progress[progress.length - 1]).toMatchObject({ done: 2, total: 3, ratePerSecond: 2 });
  });

  it('sends one unsharded call when one shard is asked for', async () => {
    const seen: EvaluateRobustnessRequest[] = [];
    await robustnessAcrossReplicas({ ...request, shardIndex: 5, shardCount: 9 }, 1, async (r) => { seen.push(r); return result(250, 1, 1); });
    expect(seen.map((r) => [r.shardIndex, r.shardCount])).toEqual([[0, 0]]);
  });

  it('cancels the other shards when one fails, and rejects with its error', async () => {
    const aborted: boolean[] = [];
    const failure = Object.assign(new Error('14 UNAVAILABLE'), { code: 14 });
    await expect(robustnessAcrossReplicas(request, 3, (shardRequest, _onProgress, signal) => {
      if (shardRequest.shardIndex === 1) return Promise.reject(failure);
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => { aborted.push(true); reject(signal.reason); }));
    })).rejects.toBe(failure);
    expect(aborted).toEqual([true, true]);
  });
});
