import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { classifierLogLoss } from './log-loss';
import { samplePacket } from './packet-sampler';
import type { PacketStatistics } from './packet-statistics';
import { quadrantImages, trainedTiny } from './trained-tiny';

beforeAll(async () => {
  await initBackend();
});

describe('samplePacket', () => {
  it('gives the same statistics, bit for bit, whether points share a forward/backward pass or not', async () => {
    const classifier = trainedTiny(10);
    const { images, labels } = quadrantImages(5, 2);
    const model = classifierLogLoss(classifier, 'pixel');
    const K = images.shape[0];
    const sample = (batchSize: number, shardIndex = 0, shardCount = 1) => samplePacket(model, { points: images, labels: Array.from(labels), pointIds: Array.from({ length: K }, (_, k) => 100 + k) }, {
      sigma: 0.05, samplesPerPoint: 48, totalBatches: 4, shardIndex, shardCount, seed: 9, batchSize,
    });
    const sums = (s: PacketStatistics) => [s.logRef, s.sumW, s.sumW2, s.sumWd, s.sumWd2, s.sumWsu2].map((a) => Array.from(a));
    // 48 rows a point: a pass per point (48), several passes per point (16), two points a pass (96), all at once (4096).
    const [perPoint, split, pairs, all] = [await sample(48), await sample(16), await sample(96), await sample(4096)];
    for (const other of [split, pairs, all]) expect(sums(other)).toEqual(sums(perPoint));
    // A shard's 24 rows a point: four points a pass.
    expect(sums(await sample(96, 1, 2))).toEqual(sums(await sample(24, 1, 2)));
    tf.dispose(images);
    classifier.dispose();
  });
});
