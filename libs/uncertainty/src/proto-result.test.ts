import * as tf from '@tensorflow/tfjs-core';
import { PacketStatistics as PacketStatisticsMessage } from '@conjugate/proto';
import { initBackend } from '@conjugate/backend';
import { quadraticLoss } from './closed-form-losses';
import { InvalidEstimateError } from './estimate-options';
import { samplePacket } from './packet-sampler';
import { summarisePacket } from './packet-summary';
import { mergePacketMessages, packetStatisticsFromProto, packetStatisticsToProto } from './proto-result';

beforeAll(async () => {
  await initBackend();
});

async function shard(index: number, count: number) {
  const points = tf.tensor2d([[0.1, 0.2, 0.3], [0.6, 0.5, 0.4]]);
  try {
    return await samplePacket(quadraticLoss(3, 0, 0.2), { points, labels: [1, 0], pointIds: [4, 9] }, {
      sigma: 0.1, samplesPerPoint: 160, totalBatches: 8, shardIndex: index, shardCount: count, seed: 5, batchSize: 64,
    });
  } finally {
    points.dispose();
  }
}

it('statistics survive the wire bit for bit', async () => {
  const stats = await shard(0, 1);
  const bytes = PacketStatisticsMessage.encode(packetStatisticsToProto(stats)).finish();
  const back = packetStatisticsFromProto(PacketStatisticsMessage.decode(bytes));
  expect(Array.from(back.sumWd2)).toEqual(Array.from(stats.sumWd2));
  expect(Array.from(back.logRef)).toEqual(Array.from(stats.logRef));
  expect(back).toMatchObject({ sigma: 0.1, pointIds: [4, 9], labels: [1, 0], batchIndices: [0, 1, 2, 3, 4, 5, 6, 7], totalBatches: 8, seed: 5 });
});

it('merging shard messages gives the summaries of the unsharded estimate', async () => {
  const merged = mergePacketMessages([packetStatisticsToProto(await shard(1, 2)), packetStatisticsToProto(await shard(0, 2))]);
  const whole = summarisePacket(await shard(0, 1));
  expect(merged.samplesPerPoint).toBe(160);
  expect(merged.overall!.meanProduct!.value).toBeCloseTo(whole.overall.meanProduct.value, 12);
  expect(merged.points.map((p) => p.pointId)).toEqual([4, 9]);
  expect(merged.maps.map((m) => m.name)).toEqual(['dx', 'dp', 'product']);
});

it('rejects malformed statistics with a message naming the field', async () => {
  const message = packetStatisticsToProto(await shard(0, 2));
  expect(() => mergePacketMessages([{ ...message, sumWd: undefined }])).toThrow(InvalidEstimateError);
  expect(() => mergePacketMessages([{ ...message, sumWd: undefined }])).toThrow(/shards\[0\]\.sumWd: missing/);
  expect(() => mergePacketMessages([{ ...message, labels: [1] }])).toThrow(/2 point_ids but 1 labels/);
  expect(() => mergePacketMessages([{ ...message, pointShape: [4] }])).toThrow(/shards\[0\]\.sumWd/);
  expect(() => mergePacketMessages([message, message])).toThrow(/more than one shard/);
  expect(() => mergePacketMessages([])).toThrow(/no statistics/);
});
