import { status, type ServiceError } from '@grpc/grpc-js';
import { initBackend } from '@conjugate/backend';
import { Estimator, Space, type PacketResult, type UncertaintyServiceClient } from '@conjugate/proto';
import { createLogger, type GrpcServiceHandle } from '@conjugate/service-kit';
import { startUncertaintyService } from './uncertainty-service';
import { client, inlineRequest, runEstimate, SHAPE } from './test-requests';

let service: GrpcServiceHandle;
let uncertainty: UncertaintyServiceClient;

beforeAll(async () => {
  await initBackend();
  service = await startUncertaintyService({ port: 0, host: '127.0.0.1', logger: createLogger('uncertainty-service-test', { level: 'silent' }) });
  uncertainty = client(service.address);
});

afterAll(async () => {
  uncertainty.close();
  await service.shutdown(0);
});

function mergePacket(shards: PacketResult[]): Promise<PacketResult> {
  return new Promise((resolve, reject) =>
    uncertainty.mergePacket({ shards: shards.map((s) => s.statistics!) }, (error: ServiceError | null, result: PacketResult) => (error ? reject(error) : resolve(result))),
  );
}

describe('Estimate', () => {
  it('packet, pixel space: progress in samples, then summaries, per-class, maps, per-point values and statistics', async () => {
    const { progress, result } = await runEstimate(uncertainty, inlineRequest({ sigmaSweep: [0.06] }));
    expect(progress.length).toBeGreaterThan(0);
    const last = progress[progress.length - 1];
    expect(last).toMatchObject({ unit: 'samples', done: 6 * 64 * 2, total: 6 * 64 * 2 });
    expect(last.ratePerSecond).toBeGreaterThan(0);
    expect(result.result?.$case).toBe('packet');
    const packet = result.result!.value as PacketResult;
    expect(packet.sigma).toBeCloseTo(8 / 255, 6);
    expect(packet.overall!.numPoints).toBe(6);
    expect(packet.overall!.meanProduct!.value).toBeGreaterThan(0.4);
    expect(packet.overall!.meanProduct!.standardError).toBeGreaterThan(0);
    expect(packet.perClass.map((c) => c.label)).toEqual([0, 1, 2]);
    expect(packet.maps.map((m) => [m.name, m.tensor!.shape])).toEqual([['dx', SHAPE], ['dp', SHAPE], ['product', SHAPE]]);
    expect(packet.points.map((p) => p.pointId)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(packet.statistics!.sumWd!.shape).toEqual([6, 8, 64]);
    expect(result.sweep).toHaveLength(1);
    expect(result.sweep[0].sigma).toBeCloseTo(0.06, 6);
    expect(result.stdX).toBeGreaterThan(0);
  });

  it('ensemble, feature space: summaries with standardised means and maps in the feature shape', async () => {
    const { result } = await runEstimate(uncertainty, inlineRequest({ estimator: Estimator.ESTIMATOR_ENSEMBLE, space: Space.SPACE_FEATURE, bootstrapResamples: 50 }));
    expect(result.result?.$case).toBe('ensemble');
    const ensemble = result.result!.value as { overall: { numPoints: number; standardizedMeanDx?: unknown }; maps: { name: string; tensor?: { shape: number[] } }[] };
    expect(ensemble.overall.numPoints).toBe(6);
    expect(ensemble.overall.standardizedMeanDx).toBeDefined();
    expect(ensemble.maps.map((m) => m.name)).toEqual(['dx', 'dp', 'product', 'active', 'mean_p']);
    expect(ensemble.maps[0].tensor!.shape).toEqual([3 * 3 * 8]);
  });

  it('warns, in the result, when ESS < N/20', async () => {
    const { result } = await runEstimate(uncertainty, inlineRequest({ sigma: 40 }, 3));
    expect(result.warnings.join('\n')).toMatch(/ESS < N\/20/);
    expect((result.result!.value as PacketResult).overall!.lowEssPoints).toBeGreaterThan(0);
  });

  it.each([
    ['N < 2', { numSamples: 1 }, /^spec\.num_samples: must be an integer in \[2, 65536\]/],
    ['σ ≤ 0', { sigma: 0 }, /^spec\.sigma: must be a finite number in \(0, 100\]/],
    ['unknown estimator', { estimator: Estimator.ESTIMATOR_UNSPECIFIED }, /spec\.estimator/],
    ['unknown space', { space: 42 as Space }, /spec\.space/],
    ['M < 2', { estimator: Estimator.ESTIMATOR_ENSEMBLE, numPoints: 1 }, /M ≥ 2/],
  ])('%s → INVALID_ARGUMENT naming it', async (_name, spec, message) => {
    await expect(runEstimate(uncertainty, inlineRequest(spec as never))).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(message) });
  });

  it('an inline ensemble of one point → INVALID_ARGUMENT (M < 2)', async () => {
    await expect(runEstimate(uncertainty, inlineRequest({ estimator: Estimator.ESTIMATOR_ENSEMBLE }, 1))).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/M ≥ 2/),
    });
  });

  it('points that do not match the model → INVALID_ARGUMENT', async () => {
    const request = inlineRequest({});
    const wrong = inlineRequest({});
    // 8×8 model, 9×9 points.
    const images = wrong.points!.points!.value as { images: { shape: number[]; data: Buffer } };
    images.images = { ...images.images, shape: [6, 9, 9, 1], data: Buffer.alloc(6 * 81 * 4) };
    await expect(runEstimate(uncertainty, { ...request, points: wrong.points })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/the model expects \[K, 8, 8, 1\]/),
    });
  });
});

it('a cancelled estimate stops and the service keeps serving', async () => {
  const call = uncertainty.estimate(inlineRequest({ numSamples: 1024 }));
  const ended = new Promise<number>((resolve) => {
    call.on('data', () => call.cancel());
    call.on('error', (error: ServiceError) => resolve(error.code));
    call.on('end', () => resolve(status.OK));
  });
  expect(await ended).toBe(status.CANCELLED);
  const { result } = await runEstimate(uncertainty, inlineRequest({}, 2));
  expect(result.result?.$case).toBe('packet');
});

describe('MergePacket', () => {
  it('merges two shards into the unsharded result', async () => {
    const [a, b, whole] = await Promise.all([
      runEstimate(uncertainty, inlineRequest({ shardIndex: 0, shardCount: 2 })),
      runEstimate(uncertainty, inlineRequest({ shardIndex: 1, shardCount: 2 })),
      runEstimate(uncertainty, inlineRequest({})),
    ]);
    const merged = await mergePacket([a.result.result!.value as PacketResult, b.result.result!.value as PacketResult]);
    const expected = whole.result.result!.value as PacketResult;
    expect(merged.samplesPerPoint).toBe(64);
    expect(merged.overall!.meanProduct!.value).toBeCloseTo(expected.overall!.meanProduct!.value, 6);
    expect(merged.overall!.meanDx!.value).toBeCloseTo(expected.overall!.meanDx!.value, 8);
  });

  it('refuses overlapping shards with INVALID_ARGUMENT', async () => {
    const { result } = await runEstimate(uncertainty, inlineRequest({ shardIndex: 0, shardCount: 2 }));
    const shard = result.result!.value as PacketResult;
    await expect(mergePacket([shard, shard])).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/more than one shard/) });
  });
});
