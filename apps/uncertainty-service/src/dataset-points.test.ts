import { status } from '@grpc/grpc-js';
import { initBackend } from '@conjugate/backend';
import { createClassifier, toModelMessage } from '@conjugate/models';
import { estimateAcrossReplicas } from '@conjugate/clients';
import { Estimator, Space, Split, type EnsembleResult, type EstimateRequest, type PacketResult, type UncertaintyServiceClient } from '@conjugate/proto';
import { createLogger, type GrpcServiceHandle, type ServiceProcess, startServiceProcess } from '@conjugate/service-kit';
import { client, runEstimate } from './test-requests';
import { startUncertaintyService } from './uncertainty-service';

// Points as dataset indices, streamed from a real data-service process (its seeded "synthetic" set:
// 28×28×1, 10 classes, 512 test images).
let data: ServiceProcess;
let service: GrpcServiceHandle;
let uncertainty: UncertaintyServiceClient;
let model: EstimateRequest['model'];

beforeAll(async () => {
  await initBackend();
  data = await startServiceProcess('data-service');
  service = await startUncertaintyService({ port: 0, host: '127.0.0.1', dataServiceAddress: data.address, logger: createLogger('uncertainty-dataset-test', { level: 'silent' }) });
  uncertainty = client(service.address);
  const tiny = createClassifier({ architecture: 'tiny', inputShape: [28, 28, 1], numClasses: 10, seed: 2 });
  model = { source: { $case: 'inline', value: toModelMessage(tiny) } };
  tiny.dispose();
}, 90_000);

afterAll(async () => {
  uncertainty?.close();
  await service?.shutdown(0);
  await data?.stop();
});

const request = (dataset: { indices?: number[]; dataset?: string }, spec: Partial<EstimateRequest['spec']> = {}): EstimateRequest => ({
  model,
  points: { points: { $case: 'dataset', value: { dataset: 'synthetic', split: Split.SPLIT_TEST, indices: [], ...dataset } } },
  spec: { estimator: Estimator.ESTIMATOR_PACKET, space: Space.SPACE_PIXEL, seed: 1, numSamples: 16, sigmaSweep: [], shardIndex: 0, shardCount: 0, batchSize: 0, ...spec },
});

it('estimates at explicit dataset indices, which become the point ids', async () => {
  const { result } = await runEstimate(uncertainty, request({ indices: [42, 3, 500] }));
  const packet = result.result!.value as PacketResult;
  expect(packet.points.map((p) => p.pointId)).toEqual([42, 3, 500]);
  // The synthetic set's labels cycle through the classes.
  expect(packet.points.map((p) => p.label)).toEqual([2, 3, 0]);
});

it('without indices picks num_points stratified by class, fixed by the seed', async () => {
  const first = await runEstimate(uncertainty, request({}, { numPoints: 20 }));
  const again = await runEstimate(uncertainty, request({}, { numPoints: 20 }));
  const points = (first.result.result!.value as PacketResult).points;
  expect(points).toHaveLength(20);
  const perClass = new Map<number, number>();
  for (const p of points) perClass.set(p.label, (perClass.get(p.label) ?? 0) + 1);
  expect([...perClass.values()]).toEqual(Array(10).fill(2));
  expect((again.result.result!.value as PacketResult).points.map((p) => p.pointId)).toEqual(points.map((p) => p.pointId));
});

it.each([
  ['the whole split', {}],
  ['explicit indices', { indices: Array.from({ length: 300 }, (_, k) => (k * 37) % 512) }],
  ['explicit indices whose last shard holds one point', { indices: Array.from({ length: 129 }, (_, k) => (k * 11) % 512) }],
])('an ensemble over %s sharded in three (each shard reads its own run of points) merges into the unsharded estimate', async (_case, points) => {
  const spec = { estimator: Estimator.ESTIMATOR_ENSEMBLE, space: Space.SPACE_FEATURE, bootstrapResamples: 50, batchSize: 64 };
  const { result: whole } = await runEstimate(uncertainty, request(points, spec));
  const sharded = await estimateAcrossReplicas(request(points, spec), [service.address], { shards: 3 });
  const [w, m] = [whole.result!.value as EnsembleResult, sharded.result!.value as EnsembleResult];
  expect(m.overall!.numPoints).toBe('indices' in points ? points.indices.length : 512);
  const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.abs(b));
  for (const [mine, one] of [[m.overall!, w.overall!], ...m.perClass.map((c, i) => [c.summary!, w.perClass[i].summary!])]) {
    for (const key of ['meanDx', 'meanDp', 'meanProduct', 'standardizedMeanDx'] as const) {
      close(mine[key]!.value, one[key]!.value);
      close(mine[key]!.standardError, one[key]!.standardError);
    }
    close(mine.ess, one.ess);
  }
});

it("passes the data-service's NOT_FOUND through for an unknown dataset", async () => {
  await expect(runEstimate(uncertainty, request({ dataset: 'no-such-set', indices: [1] }))).rejects.toMatchObject({ code: status.NOT_FOUND });
});
