import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { classifierLogLoss, type LogLossModel } from './log-loss';
import { quadraticLoss } from './closed-form-losses';
import { mergePacketStatistics } from './merge';
import { samplePacket } from './packet-sampler';
import type { PacketStatistics } from './packet-statistics';
import { summarisePacket } from './packet-summary';
import { quadrantImages, trainedTiny } from './trained-tiny';

beforeAll(async () => {
  await initBackend();
});

async function shard(model: LogLossModel, points: tf.Tensor, index: number, count: number, batchSize = 64): Promise<PacketStatistics> {
  return samplePacket(model, { points, labels: [0, 1, 2], pointIds: [10, 11, 12] }, {
    sigma: 0.05,
    samplesPerPoint: 300,
    totalBatches: 8,
    shardIndex: index,
    shardCount: count,
    seed: 21,
    batchSize,
  });
}

function expectSameSummaries(a: PacketStatistics, b: PacketStatistics, relative: number): void {
  const ra = summarisePacket(a);
  const rb = summarisePacket(b);
  expect(ra.samplesPerPoint).toBe(rb.samplesPerPoint);
  ra.points.forEach((point, k) => {
    for (const [name, entry] of Object.entries(point.values)) {
      const other = rb.points[k].values[name as keyof typeof point.values];
      expect(Math.abs(entry.value - other.value)).toBeLessThanOrEqual(relative * Math.abs(other.value));
      expect(Math.abs(entry.standardError - other.standardError)).toBeLessThanOrEqual(relative * Math.abs(other.standardError) + 1e-300);
    }
    point.dx.forEach((v, i) => expect(Math.abs(v - rb.points[k].dx[i])).toBeLessThanOrEqual(relative * rb.points[k].dx[i]));
  });
}

describe('shard statistics merge exactly', () => {
  it('two shards merged equal one pass over all their samples, to float64 rounding', async () => {
    const points = tf.tensor2d([[0.1, 0.2, 0.3, 0.4], [0.5, 0.1, 0.0, 0.9], [1, 1, 1, 1]]);
    const model = quadraticLoss(4, 1, 0.15);
    const [first, second, whole] = [await shard(model, points, 0, 2), await shard(model, points, 1, 2), await shard(model, points, 0, 1)];
    points.dispose();
    expect(first.batchIndices).toEqual([0, 2, 4, 6]);
    expect(second.samplesPerPoint + first.samplesPerPoint).toBe(300);
    const merged = mergePacketStatistics([second, first]);
    expect(merged.batchIndices).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expectSameSummaries(merged, whole, 1e-12);
  });

  it('holds through a trained network in pixel space (float32 network, float64 sums)', async () => {
    const classifier = trainedTiny(10);
    const { images } = quadrantImages(3, 1);
    const model = classifierLogLoss(classifier, 'pixel');
    const merged = mergePacketStatistics([await shard(model, images, 0, 2), await shard(model, images, 1, 2)]);
    const whole = await shard(model, images, 0, 1);
    tf.dispose(images);
    classifier.dispose();
    expectSameSummaries(merged, whole, 1e-6);
  });

  it('refuses shards that overlap or belong to different estimates', async () => {
    const points = tf.tensor2d([[0.1, 0.2, 0.3, 0.4], [0.5, 0.1, 0.0, 0.9], [1, 1, 1, 1]]);
    const model = quadraticLoss(4, 1, 0.15);
    const first = await shard(model, points, 0, 2);
    points.dispose();
    expect(() => mergePacketStatistics([first, first])).toThrow(/batch 0 appears in more than one shard/);
    expect(() => mergePacketStatistics([first, { ...first, sigma: 0.1, batchIndices: [1] }])).toThrow(/different sigma/);
    expect(() => mergePacketStatistics([first, { ...first, pointIds: [1, 2, 3], batchIndices: [1] }])).toThrow(/point ids/);
    expect(() => mergePacketStatistics([])).toThrow(/no shard/);
  });
});
