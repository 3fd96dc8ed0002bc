import { status } from '@grpc/grpc-js';
import { initBackend } from '@conjugate/backend';
import { estimateAcrossReplicas } from '@conjugate/clients';
import { Estimator, type PacketResult, type Progress } from '@conjugate/proto';
import { createLogger, type GrpcServiceHandle } from '@conjugate/service-kit';
import { startUncertaintyService } from './uncertainty-service';
import { client, inlineRequest, runEstimate } from './test-requests';

// libs/clients' fan-out helper against two real replicas on real sockets (it lives here because a
// lib may not import an app).
let replicas: GrpcServiceHandle[];

beforeAll(async () => {
  await initBackend();
  const logger = createLogger('uncertainty-fan-out-test', { level: 'silent' });
  replicas = await Promise.all([0, 1].map(() => startUncertaintyService({ port: 0, host: '127.0.0.1', logger })));
});

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.shutdown(0)));
});

it('splits a packet estimate over two replicas and merges it into the one-replica result', async () => {
  const request = inlineRequest({ sigmaSweep: [0.05] });
  const progress: [number, Progress][] = [];
  const merged = await estimateAcrossReplicas(request, replicas.map((r) => r.address), { onProgress: (shard, p) => progress.push([shard, p]) });
  const single = client(replicas[0].address);
  const { result: whole } = await runEstimate(single, request);
  single.close();
  expect(new Set(progress.map(([shard]) => shard))).toEqual(new Set([0, 1]));
  const [m, w] = [merged.result!.value as PacketResult, whole.result!.value as PacketResult];
  expect(m.statistics!.batchIndices).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(m.samplesPerPoint).toBe(64);
  m.points.forEach((point, k) => {
    expect(point.meanProduct!.value).toBeCloseTo(w.points[k].meanProduct!.value, 6);
    expect(point.meanProduct!.standardError).toBeCloseTo(w.points[k].meanProduct!.standardError, 6);
    expect(point.ess!.value).toBeCloseTo(w.points[k].ess!.value, 4);
  });
  expect(merged.sweep[0].overall!.meanDp!.value).toBeCloseTo(whole.sweep[0].overall!.meanDp!.value, 4);
});

it('sends an ensemble estimate, which does not shard, to one replica', async () => {
  const result = await estimateAcrossReplicas(inlineRequest({ estimator: Estimator.ESTIMATOR_ENSEMBLE, bootstrapResamples: 20 }), replicas.map((r) => r.address));
  expect(result.result?.$case).toBe('ensemble');
});

it("rejects with a replica's status when a shard is refused", async () => {
  await expect(estimateAcrossReplicas(inlineRequest({ sigma: -1 }), replicas.map((r) => r.address))).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
});
