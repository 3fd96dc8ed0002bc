import { status, type ServiceError } from '@grpc/grpc-js';
import { connectDataService, decodeBatch, type DataClient, type DecodedBatch } from '@conjugate/clients';
import { DatasetRegistry, encodeCifarBatch, gatherBatch, Prng } from '@conjugate/datasets';
import { Split, StreamBatchesRequest } from '@conjugate/proto';
import { createLogger, stallingProxy, type GrpcServiceHandle } from '@conjugate/service-kit';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDataService, type DataServiceHandle } from './data-service';

const logger = createLogger('data-service-test', { level: 'silent' });
let dataDir: string;
let emptyDir: string;
let replicaA: GrpcServiceHandle;
let replicaB: GrpcServiceHandle;
let a: DataClient;
let b: DataClient;

// A small CIFAR-10 in the official binary format: 5 × 6 train images, 4 test images.
async function writeCifarFixture(dir: string) {
  const folder = join(dir, 'cifar-10-batches-bin');
  await mkdir(folder, { recursive: true });
  const prng = new Prng(99);
  const part = (count: number, first: number) => ({
    count,
    pixels: Uint8Array.from({ length: count * 3072 }, () => prng.nextInt(256)),
    labels: Int32Array.from({ length: count }, (_, i) => (first + i) % 10),
  });
  for (let i = 1; i <= 5; i++) await writeFile(join(folder, `data_batch_${i}.bin`), encodeCifarBatch(part(6, i * 6)));
  await writeFile(join(folder, 'test_batch.bin'), encodeCifarBatch(part(4, 0)));
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'conjugate-data-service-'));
  emptyDir = await mkdtemp(join(tmpdir(), 'conjugate-data-service-empty-'));
  await writeCifarFixture(dataDir);
  const options = { host: '127.0.0.1', port: 0, dataDir, maxBatchSize: 1000, logger, metricsPort: 0 };
  [replicaA, replicaB] = await Promise.all([startDataService(options), startDataService(options)]);
  a = connectDataService(replicaA.address);
  b = connectDataService(replicaB.address);
});
afterAll(async () => {
  a.close();
  b.close();
  await Promise.all([replicaA.shutdown(0), replicaB.shutdown(0)]);
  await rm(dataDir, { recursive: true, force: true });
  await rm(emptyDir, { recursive: true, force: true });
});

const request = (fields: Partial<StreamBatchesRequest>) => ({ dataset: 'mnist', split: Split.SPLIT_TEST, batchSize: 1000, ...fields });

async function collect(client: DataClient, fields: Partial<StreamBatchesRequest>): Promise<DecodedBatch[]> {
  const batches: DecodedBatch[] = [];
  for await (const batch of client.streamBatches(request(fields))) batches.push(batch);
  return batches;
}

const order = (batches: DecodedBatch[]) => batches.flatMap((batch) => batch.indices);

describe('ListDatasets and DescribeDataset', () => {
  it('lists every dataset with its availability', async () => {
    const datasets = await a.listDatasets();
    expect(datasets.map((d) => [d.name, d.available])).toEqual([
      ['mnist', true],
      ['fashion-mnist', true],
      ['cifar10', true],
      ['synthetic', true],
    ]);
    expect(datasets[0]).toMatchObject({ imageShape: [28, 28, 1], numClasses: 10, trainSize: 60_000, testSize: 10_000, pixelMin: 0, pixelMax: 1 });
    expect(datasets[2]).toMatchObject({ imageShape: [32, 32, 3], trainSize: 30, testSize: 4, classNames: expect.arrayContaining(['airplane', 'truck']) });
  });

  it('NOT_FOUND for an unknown name, INVALID_ARGUMENT for none', async () => {
    await expect(a.describeDataset('imagenet')).rejects.toMatchObject({ code: status.NOT_FOUND, details: expect.stringContaining('"imagenet" is not known') });
    await expect(a.describeDataset('')).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringContaining('name: required') });
  });
});

describe('StreamBatches', () => {
  it('serves every test index exactly once per epoch, the same order on every replica and run', async () => {
    const [first, again, otherReplica] = await Promise.all([
      collect(a, { shuffleSeed: 2024 }),
      collect(a, { shuffleSeed: 2024 }),
      collect(b, { shuffleSeed: 2024 }),
    ]);
    expect(first.map((batch) => [batch.batchIndex, batch.numBatches, batch.shape])).toEqual(
      [...Array(10).keys()].map((i) => [i, 10, [1000, 28, 28, 1]]),
    );
    const indices = order(first);
    expect(indices).toHaveLength(10_000);
    expect(new Set(indices).size).toBe(10_000);
    expect(indices.slice(0, 10)).not.toEqual([...Array(10).keys()]);
    expect(order(again)).toEqual(indices);
    expect(order(otherReplica)).toEqual(indices);
    expect(order(await collect(a, { shuffleSeed: 2025 }))).not.toEqual(indices);
  });

  it('sends the images and labels of the indices it names', async () => {
    const mnist = await new DatasetRegistry().load('mnist');
    const [batch] = await collect(a, { indices: [9999, 0, 0, 1234], batchSize: 4 });
    expect(batch.indices).toEqual([9999, 0, 0, 1234]);
    const expected = gatherBatch(mnist, 'test', [9999, 0, 0, 1234]);
    expect(batch.labels).toEqual(expected.labels);
    expect(batch.images).toEqual(expected.images);
  });

  it('windows the seeded order with offset and limit (a shard of an epoch)', async () => {
    const whole = order(await collect(a, { split: Split.SPLIT_TRAIN, shuffleSeed: 7, limit: 3000 }));
    const middle = await collect(a, { split: Split.SPLIT_TRAIN, shuffleSeed: 7, offset: 1000, limit: 1500, batchSize: 400 });
    expect(middle.map((batch) => batch.indices.length)).toEqual([400, 400, 400, 300]);
    expect(order(middle)).toEqual(whole.slice(1000, 2500));
  });

  it('serves one shard: the batches b with b mod shard_count = shard_index, numbered as in the whole stream', async () => {
    const slice = { shuffleSeed: 3, offset: 100, limit: 950, batchSize: 100 };
    const whole = await collect(a, slice);
    const shards = await Promise.all([0, 1, 2].map((shardIndex) => collect(b, { ...slice, shardIndex, shardCount: 3 })));
    expect(shards.map((batches) => batches.map((batch) => batch.batchIndex))).toEqual([[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]);
    for (const batch of shards.flat()) {
      expect(batch.numBatches).toBe(10);
      expect(batch.indices).toEqual(whole[batch.batchIndex].indices);
      expect(batch.images).toEqual(whole[batch.batchIndex].images);
    }
  });

  it('labels_only: the labels and indices of the stream, without images', async () => {
    const slice = { shuffleSeed: 5, limit: 2500 };
    const whole = await collect(a, { ...slice, batchSize: 500 });
    const labels: number[] = [];
    const indices: number[] = [];
    for await (const batch of a.streamLabels(request({ ...slice, batchSize: 1000 }))) {
      labels.push(...batch.labels);
      indices.push(...batch.indices);
    }
    expect(indices).toEqual(order(whole));
    expect(labels).toEqual(whole.flatMap((batch) => Array.from(batch.labels)));
    for await (const message of a.streamBatchMessages(request({ limit: 10, labelsOnly: true }))) expect(message.images).toBeUndefined();
  });

  it('INVALID_ARGUMENT for a shard outside [0, shard_count) or too many shards', async () => {
    await expect(collect(a, { shardIndex: 2, shardCount: 2 })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/shard_index: must be in \[0, 1\]/) });
    await expect(collect(a, { shardIndex: 0, shardCount: 5000 })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/shard_count/) });
  });

  it('streams the CIFAR-10 fixture from the data dir, channels last', async () => {
    const [batch] = await collect(a, { dataset: 'cifar10', batchSize: 4 });
    expect(batch.shape).toEqual([4, 32, 32, 3]);
    expect(Array.from(batch.labels)).toEqual([0, 1, 2, 3]);
  });

  it.each([
    [{ batchSize: 0 }, 'batch_size: must be between 1 and 1000, got 0'],
    [{ batchSize: 1001 }, 'batch_size: must be between 1 and 1000, got 1001'],
    [{ offset: 10_000 }, 'offset: 10000 is beyond the test split of 10000 images'],
    [{ indices: [5, 10_000] }, 'indices[1]: 10000 is outside the test split (0..9999)'],
    [{ indices: [-2] }, 'indices[0]: -2 is outside the test split (0..9999)'],
    [{ limit: -1 }, 'limit: must be a non-negative integer (0 = to the end), got -1'],
    [{ split: Split.SPLIT_UNSPECIFIED }, 'split: must be SPLIT_TRAIN or SPLIT_TEST, got 0'],
    [{ dataset: '' }, 'dataset: required (see ListDatasets)'],
  ])('INVALID_ARGUMENT for %p', async (fields, details) => {
    await expect(collect(a, fields)).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details });
  });

  it('NOT_FOUND for an unknown dataset', async () => {
    await expect(collect(a, { dataset: 'svhn' })).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('FAILED_PRECONDITION naming what to fetch and where when files are missing', async () => {
    const bare = await startDataService({ host: '127.0.0.1', port: 0, dataDir: emptyDir, logger });
    const client = connectDataService(bare.address);
    try {
      expect(await client.describeDataset('cifar10')).toMatchObject({ available: false, unavailableReason: expect.stringContaining(emptyDir) });
      const error = (await collect(client, { dataset: 'cifar10', batchSize: 10 }).catch((e: unknown) => e)) as ServiceError;
      expect(error.code).toBe(status.FAILED_PRECONDITION);
      expect(error.details).toContain('conjugate data fetch cifar10');
      expect(error.details).toContain(join(emptyDir, 'cifar-10-batches-bin'));
    } finally {
      client.close();
      await bare.shutdown(0);
    }
  });

  it('FAILED_PRECONDITION, never a partial dataset, when a file is corrupt', async () => {
    const corruptDir = await mkdtemp(join(tmpdir(), 'conjugate-data-service-corrupt-'));
    await writeCifarFixture(corruptDir);
    await writeFile(join(corruptDir, 'cifar-10-batches-bin', 'data_batch_4.bin'), Buffer.alloc(3073 * 2 + 100));
    const broken = await startDataService({ host: '127.0.0.1', port: 0, dataDir: corruptDir, logger });
    const client = connectDataService(broken.address);
    try {
      await expect(collect(client, { dataset: 'cifar10', batchSize: 1 })).rejects.toMatchObject({
        code: status.FAILED_PRECONDITION,
        details: expect.stringMatching(/corrupt .*data_batch_4\.bin; fetch them again/),
      });
    } finally {
      client.close();
      await broken.shutdown(0);
      await rm(corruptDir, { recursive: true, force: true });
    }
  });

  it('stops on the server when the client breaks out of the stream', async () => {
    let received = 0;
    for await (const _batch of a.streamBatches(request({ split: Split.SPLIT_TRAIN, batchSize: 10 }))) {
      if (++received === 3) break;
    }
    const handled = async () => {
      const metrics = await replicaA.metrics.registry.getSingleMetricAsString('grpc_server_handled_total');
      return metrics.split('\n').find((line) => line.includes('StreamBatches') && line.includes('CANCELLED'));
    };
    const until = Date.now() + 10_000;
    while (!(await handled()) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await handled()).toMatch(/ 1$/);
  });

  it('holds back batches while the client does not read (flow control, no unbounded buffering)', async () => {
    const service = await startDataService({ host: '127.0.0.1', port: 0, dataDir, logger });
    const proxy = await stallingProxy(service.port);
    const client = connectDataService(`127.0.0.1:${proxy.port}`);
    const sent = async () => {
      const text = await service.metrics.registry.getSingleMetricAsString('grpc_server_msg_sent_total');
      return Number(text.split('\n').find((line) => line.includes('StreamBatches'))?.split(' ').pop() ?? 0);
    };
    try {
      await client.describeDataset('mnist'); // connected through the proxy
      proxy.stall();
      const abort = new AbortController();
      const reading = (async () => {
        for await (const _batch of client.streamBatches(request({ split: Split.SPLIT_TRAIN, batchSize: 128 }), { signal: abort.signal })) {
          /* nothing arrives: the proxy holds it */
        }
      })().catch((error: unknown) => error);
      let last = -1;
      for (let stable = 0; stable < 3; ) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        const now = await sent();
        stable = now === last && now > 0 ? stable + 1 : 0;
        last = now;
      }
      expect(last).toBeLessThan(469 / 2); // an epoch is 469 batches of 128; socket and HTTP/2 buffers hold a few
      abort.abort(new Error('test done'));
      await reading;
    } finally {
      client.close();
      proxy.close();
      await service.shutdown(0);
    }
  });

  it('DEADLINE_EXCEEDED when the stream outlives its deadline', async () => {
    const slowReader = async () => {
      for await (const _batch of a.streamBatches(request({ split: Split.SPLIT_TRAIN, batchSize: 100 }), { deadlineMs: 300 })) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await expect(slowReader()).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
  });
});

describe('a client that keeps slices (the attack- and uncertainty-service: DATA_CACHE_MB)', () => {
  it('answers a request it streamed whole again without the data-service, and only that one', async () => {
    const service = await startDataService({ host: '127.0.0.1', port: 0, dataDir, logger });
    const client = connectDataService(service.address, { cacheBytes: 1 << 20 });
    const values = (batches: DecodedBatch[]) => batches.map(({ images, labels, ...rest }) => ({ ...rest, images: Array.from(images), labels: Array.from(labels) }));
    try {
      const slice = { shuffleSeed: 3, limit: 150, batchSize: 50 };
      const first = await collect(client, slice);
      expect(values(first)).toEqual(values(await collect(a, slice)));
      // Left after the first batch: not kept.
      for await (const _ of client.streamBatches(request({ limit: 100, batchSize: 50 }))) break;
      await service.shutdown(0);
      expect(values(await collect(client, slice))).toEqual(values(first));
      // Anything else goes to the stopped service and fails with its status.
      await expect(collect(client, { limit: 100, batchSize: 50 })).rejects.toMatchObject({ code: expect.any(Number) });
      await expect(collect(client, { ...slice, shuffleSeed: 4 })).rejects.toMatchObject({ code: expect.any(Number) });
    } finally {
      client.close();
      await service.shutdown(0);
    }
  });
});

describe('in this process (the embedded stack\'s training reads batches this way)', () => {
  const local = () => (replicaA as DataServiceHandle).local;
  async function collectLocal(fields: Partial<StreamBatchesRequest>, signal?: AbortSignal): Promise<DecodedBatch[]> {
    const batches: DecodedBatch[] = [];
    for await (const message of local().streamBatches(StreamBatchesRequest.fromPartial(request(fields)), signal)) batches.push(decodeBatch(message));
    return batches;
  }

  it('the same batches as StreamBatches over gRPC: order, numbers, images and labels', async () => {
    const slice = { split: Split.SPLIT_TRAIN, shuffleSeed: 7, limit: 700, batchSize: 64 };
    const [remote, here] = await Promise.all([collect(b, slice), collectLocal(slice)]);
    expect(here.length).toBe(11);
    expect(here.map(({ images, labels, ...rest }) => ({ ...rest, images: Array.from(images), labels: Array.from(labels) })))
      .toEqual(remote.map(({ images, labels, ...rest }) => ({ ...rest, images: Array.from(images), labels: Array.from(labels) })));
    expect(await local().describeDataset('mnist')).toEqual(await b.describeDataset('mnist'));
  });

  it('the same errors as over gRPC, and an aborted signal ends the stream', async () => {
    await expect(collectLocal({ batchSize: 0 })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, message: expect.stringContaining('batch_size: must be between 1 and 1000, got 0') });
    await expect(collectLocal({ dataset: 'svhn' })).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(local().describeDataset('')).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    const controller = new AbortController();
    const seen: number[] = [];
    const reading = (async () => {
      for await (const message of local().streamBatches(StreamBatchesRequest.fromPartial(request({ batchSize: 100 })), controller.signal)) {
        seen.push(message.batchIndex);
        if (seen.length === 2) controller.abort();
      }
    })();
    await expect(reading).rejects.toThrow(/abort/i);
    expect(seen).toEqual([0, 1]);
  });
});

describe('bounds (issue 19)', () => {
  it('refuses a stream beyond MAX_OPEN_STREAMS with RESOURCE_EXHAUSTED and serves again once one closes', async () => {
    const service = await startDataService({ host: '127.0.0.1', port: 0, dataDir, logger, maxOpenStreams: 1 });
    const client = connectDataService(service.address);
    try {
      const abort = new AbortController();
      const first = client.streamBatches(request({ split: Split.SPLIT_TRAIN, batchSize: 10 }), { signal: abort.signal })[Symbol.asyncIterator]();
      await first.next(); // the first stream is open and has sent a batch
      await expect(collect(client, { batchSize: 10, limit: 10 })).rejects.toMatchObject({ code: status.RESOURCE_EXHAUSTED, details: expect.stringContaining('MAX_OPEN_STREAMS=1') });
      abort.abort(new Error('test done'));
      await first.next().catch(() => undefined);
      let served: DecodedBatch[] | undefined;
      for (let i = 0; i < 100 && !served; i++) served = await collect(client, { batchSize: 10, limit: 10 }).catch(() => undefined);
      expect(served?.length).toBe(1);
    } finally {
      client.close();
      await service.shutdown(0);
    }
  });

  it('refuses a 16 MB dataset name by its length, without quoting it', async () => {
    const name = 'm'.repeat(16 * 1024 * 1024);
    await expect(a.describeDataset(name)).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: `name: at most 64 characters, got ${name.length}` });
  });
});
