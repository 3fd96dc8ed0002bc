import { status, type ServiceError } from '@grpc/grpc-js';
import { initBackend } from '@conjugate/backend';
import { DType, Estimator, type EstimateRequest, type PacketResult, type PacketStatistics, type UncertaintyServiceClient } from '@conjugate/proto';
import { checkHealth, createLogger, MAX_REQUEST_COST_ENV, type GrpcServiceHandle } from '@conjugate/service-kit';
import { startUncertaintyService } from './uncertainty-service';
import { client, inlineRequest, runEstimate } from './test-requests';

// Requests a hostile client sends (issue 19): each is refused with a clear status before any work.
let service: GrpcServiceHandle;
let uncertainty: UncertaintyServiceClient;

beforeAll(async () => {
  await initBackend();
  service = await startUncertaintyService({ port: 0, host: '127.0.0.1', logger: createLogger('uncertainty-hostile-test', { level: 'silent' }) });
  uncertainty = client(service.address);
});
afterAll(async () => {
  uncertainty.close();
  await service.shutdown(0);
});

const refusal = (promise: Promise<unknown>) => promise.then(() => ({ code: status.OK, details: '' }), (error: ServiceError) => error);
const mergePacket = (shards: PacketStatistics[]) =>
  new Promise<PacketResult>((resolve, reject) => uncertainty.mergePacket({ shards }, (error: ServiceError | null, result: PacketResult) => (error ? reject(error) : resolve(result))));

function withInline(request: EstimateRequest, change: (inline: { images: NonNullable<unknown>; labels: NonNullable<unknown> }) => void): EstimateRequest {
  change(request.points!.points!.value as never);
  return request;
}

describe('uncertainty-service refuses hostile requests', () => {
  it.each([
    ['num_samples = 10^7', () => inlineRequest({ numSamples: 10_000_000 }), /^spec\.num_samples: must be an integer in \[2, 65536\], got 10000000$/],
    ['num_samples = −1', () => inlineRequest({ numSamples: -1 }), /^spec\.num_samples: /],
    ['sigma = NaN', () => inlineRequest({ sigma: NaN }), /^spec\.sigma: /],
    ['sigma = 1e30', () => inlineRequest({ sigma: 1e30 }), /^spec\.sigma: /],
    ['shard_count = −1', () => inlineRequest({ shardCount: -1 }), /^spec\.shard_count: /],
    ['estimator = 99', () => inlineRequest({ estimator: 99 as Estimator }), /^spec\.estimator: /],
    ['bootstrap_resamples = 2^31 − 1', () => inlineRequest({ bootstrapResamples: 2 ** 31 - 1 }), /^spec\.bootstrap_resamples: /],
    [
      'pixels outside [0, 1]',
      () =>
        withInline(inlineRequest({}), (inline) => {
          const images = inline.images as { data: Buffer };
          const values = new Float32Array(images.data.length / 4).fill(0.5);
          values[7] = 3;
          images.data = Buffer.from(values.buffer);
        }),
      /^points\.inline\.images: pixel values must be in \[0, 1\], got 3 at element 7$/,
    ],
    [
      'labels shaped [K, 1]',
      () =>
        withInline(inlineRequest({}), (inline) => {
          const labels = inline.labels as { shape: number[] };
          labels.shape = [6, 1];
        }),
      /^points\.inline\.labels: /,
    ],
  ] as const)('Estimate with %s → INVALID_ARGUMENT naming the field', async (_name, make, message) => {
    expect(await refusal(runEstimate(uncertainty, make()))).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(message) });
  });

  it('refuses an estimate above the cost ceiling with RESOURCE_EXHAUSTED naming the limit', async () => {
    process.env[MAX_REQUEST_COST_ENV] = '1';
    try {
      expect(await refusal(runEstimate(uncertainty, inlineRequest({})))).toMatchObject({ code: status.RESOURCE_EXHAUSTED, details: expect.stringContaining(MAX_REQUEST_COST_ENV) });
    } finally {
      delete process.env[MAX_REQUEST_COST_ENV];
    }
  });

  describe('MergePacket', () => {
    let shards: PacketStatistics[];
    beforeAll(async () => {
      const results = await Promise.all([0, 1].map((shardIndex) => runEstimate(uncertainty, inlineRequest({ shardIndex, shardCount: 2 }))));
      shards = results.map((r) => (r.result.result!.value as PacketResult).statistics!);
    });

    it('merges both shards', async () => {
      expect((await mergePacket(shards)).samplesPerPoint).toBe(64);
    });

    it.each([
      ['one shard of two', () => [shards[0]!], /^shards: batches .* of 8 are missing/],
      ['samples_per_point 0', () => [{ ...shards[0]!, samplesPerPoint: 0 }, shards[1]!], /^shards\[0\]\.samples_per_point: /],
      ['NaN statistics', () => [{ ...shards[0]!, sumW: { dtype: DType.DTYPE_FLOAT64, shape: shards[0]!.sumW!.shape, data: Buffer.from(new Float64Array(shards[0]!.sumW!.data.length / 8).fill(NaN).buffer) } }, shards[1]!], /^shards\[0\]\.sum_w/],
      ['a NaN sigma', () => [{ ...shards[0]!, sigma: NaN }, shards[1]!], /^shards\[0\]\.sigma: /],
    ] as const)('refuses %s with INVALID_ARGUMENT naming the field', async (_name, make, message) => {
      expect(await refusal(mergePacket(make()))).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(message) });
    });
  });

  it('stays healthy', async () => {
    expect(await checkHealth(service.address)).toBe('SERVING');
  });
});
