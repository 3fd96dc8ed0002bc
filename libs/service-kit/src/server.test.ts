import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { Batch, DataServiceClient, DataServiceService, DatasetInfo, type ListDatasetsResponse } from '@conjugate/proto';
import { Writable } from 'node:stream';
import { invalidArgument, notFound } from './errors';
import type { ServiceHandlers } from './handlers';
import { createLogger } from './logger';
import { checkHealth, describeSymbolByReflection, listServicesByReflection } from './probes';
import { startGrpcService, type GrpcServiceHandle } from './server';
import { stallingProxy } from './stalling-proxy';

// A tiny DataService whose handlers exercise each path of the kit.
function tinyService(events: string[]): ServiceHandlers<typeof DataServiceService> {
  return {
    listDatasets: () => ({ datasets: [DatasetInfo.fromPartial({ name: 'tiny' })] }),
    describeDataset: async (request, context) => {
      if (request.name === '') throw invalidArgument('name: must not be empty');
      if (request.name === 'boom') throw new Error('a bug in the handler');
      if (request.name === 'slow') {
        events.push('slow started');
        await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
        events.push(`slow aborted: ${(context.signal.reason as Error).message}`);
        return DatasetInfo.fromPartial({ name: 'never sent' });
      }
      if (request.name === 'finishes-late') {
        events.push('late started');
        await new Promise((resolve) => setTimeout(resolve, 300));
        return DatasetInfo.fromPartial({ name: 'finished' });
      }
      throw notFound(`dataset "${request.name}" is not known`);
    },
    streamBatches: async (request, stream) => {
      const count = request.limit;
      const payload = Buffer.alloc(request.batchSize);
      for (let i = 0; i < count; i++) {
        await stream.write(Batch.fromPartial({ batchIndex: i, numBatches: count, images: { data: payload } }), payload.length);
        events.push(`wrote ${i}`);
        if (request.dataset === 'fail-after-2' && i === 1) throw invalidArgument('indices: 7 is out of range');
      }
    },
  };
}

function collectLogs() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).trim().split('\n').map((line) => JSON.parse(line)));
      done();
    },
  });
  return { lines, logger: createLogger('tiny', { level: 'info', destination }) };
}

const call = <T>(start: (callback: (error: ServiceError | null, response: T) => void) => void) =>
  new Promise<T>((resolve, reject) => start((error, response) => (error ? reject(error) : resolve(response))));

describe('startGrpcService', () => {
  let service: GrpcServiceHandle;
  let client: InstanceType<typeof DataServiceClient>;
  const events: string[] = [];
  const logs = collectLogs();

  beforeAll(async () => {
    service = await startGrpcService({
      name: 'tiny',
      host: '127.0.0.1',
      port: 0,
      metricsPort: 0,
      services: [{ definition: DataServiceService, implementation: tinyService(events) }],
      logger: logs.logger,
    });
    client = new DataServiceClient(service.address, credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await service.shutdown(0);
  });

  it('binds a free port and answers a unary call', async () => {
    expect(service.port).toBeGreaterThan(0);
    const response = await call<ListDatasetsResponse>((cb) => client.listDatasets({}, cb));
    expect(response.datasets.map((d) => d.name)).toEqual(['tiny']);
  });

  it('reports health per service and for the whole server', async () => {
    expect(await checkHealth(service.address)).toBe('SERVING');
    expect(await checkHealth(service.address, 'conjugate.v1.DataService')).toBe('SERVING');
    await expect(checkHealth(service.address, 'conjugate.v1.NoSuchService')).rejects.toMatchObject({ code: status.NOT_FOUND });
    service.setServingStatus('conjugate.v1.DataService', 'NOT_SERVING');
    expect(await checkHealth(service.address, 'conjugate.v1.DataService')).toBe('NOT_SERVING');
    service.setServingStatus('conjugate.v1.DataService', 'SERVING');
  });

  it('serves reflection with the contract descriptors', async () => {
    const services = await listServicesByReflection(service.address);
    expect(services).toEqual(expect.arrayContaining(['conjugate.v1.DataService', 'grpc.health.v1.Health']));
    const files = await describeSymbolByReflection(service.address, 'conjugate.v1.DataService');
    // @grpc/reflection serves one synthesized file per package.
    const dataService = files.filter((f) => f.package === 'conjugate.v1').flatMap((f) => f.services).find((s) => s.name === 'DataService');
    expect(dataService?.methods).toEqual(['ListDatasets', 'DescribeDataset', 'StreamBatches']);
  });

  it('maps thrown errors to status codes with their messages', async () => {
    await expect(call((cb) => client.describeDataset({ name: '' }, cb))).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'name: must not be empty',
    });
    await expect(call((cb) => client.describeDataset({ name: 'imagenet' }, cb))).rejects.toMatchObject({
      code: status.NOT_FOUND,
      details: 'dataset "imagenet" is not known',
    });
  });

  it('turns an unexpected exception into INTERNAL, logs its stack and keeps serving', async () => {
    await expect(call((cb) => client.describeDataset({ name: 'boom' }, cb))).rejects.toMatchObject({
      code: status.INTERNAL,
      details: expect.stringContaining('a bug in the handler'),
    });
    const logged = logs.lines.find((line) => line.level === 50 && String(line.msg).includes('DescribeDataset'));
    expect((logged?.err as { stack?: string })?.stack).toContain('server.test.ts');
    await expect(call<ListDatasetsResponse>((cb) => client.listDatasets({}, cb))).resolves.toBeDefined();
  });

  it('ends a stream with the status a handler throws midway', async () => {
    const received: number[] = [];
    const stream = client.streamBatches({ dataset: 'fail-after-2', limit: 5, batchSize: 8, split: 0, offset: 0, indices: [], shardIndex: 0, shardCount: 0, labelsOnly: false });
    stream.on('data', (batch: Batch) => received.push(batch.batchIndex));
    const error = await new Promise<ServiceError>((resolve) => stream.on('error', resolve));
    expect(error).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'indices: 7 is out of range' });
    expect(received).toEqual([0, 1]);
  });

  it('aborts the handler when the deadline passes', async () => {
    await expect(
      call((cb) => client.describeDataset({ name: 'slow' }, new Metadata(), { deadline: Date.now() + 200 }, cb)),
    ).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
    await waitFor(() => events.some((e) => e.startsWith('slow aborted')));
    expect(events.find((e) => e.startsWith('slow aborted'))).toContain('deadline exceeded');
  });

  it('applies backpressure to a slow reader and stops writing when the client cancels', async () => {
    // Node's HTTP/2 client keeps reading a paused stream, so the slow reader is a proxy that stops
    // reading the server's socket: the server's writes must then wait instead of buffering.
    const proxy = await stallingProxy(service.port);
    const slowClient = new DataServiceClient(`127.0.0.1:${proxy.port}`, credentials.createInsecure());
    await call<ListDatasetsResponse>((cb) => slowClient.listDatasets({}, cb)); // connected
    events.length = 0;
    const total = 200;
    proxy.stall();
    const stream = slowClient.streamBatches({ dataset: 'big', limit: total, batchSize: 1 << 20, split: 0, offset: 0, indices: [], shardIndex: 0, shardCount: 0, labelsOnly: false });
    const errored = new Promise<ServiceError>((resolve) => stream.on('error', resolve));
    const writes = () => events.filter((e) => e.startsWith('wrote')).length;
    await waitFor(() => writes() > 0);
    await waitForStable(writes);
    expect(writes()).toBeLessThan(total / 2); // bounded by socket and HTTP/2 buffers, not by the stream length
    stream.cancel();
    expect((await errored).code).toBe(status.CANCELLED);
    const before = writes();
    await waitForStable(writes);
    expect(writes()).toBeLessThanOrEqual(before + 1);
    slowClient.close();
    proxy.close();
  });

  it('bounds in bytes what a stalled stream holds: 1 MiB messages with a 2 MiB bound', async () => {
    // grpc-js alone takes 16 messages whatever their size (15 of these here besides the one in flight).
    const maxQueuedStreamBytes = 2 << 20;
    const bounded = await startGrpcService({
      name: 'tiny', host: '127.0.0.1', port: 0, reflection: false, maxQueuedStreamBytes,
      services: [{ definition: DataServiceService, implementation: tinyService(events) }],
      logger: createLogger('tiny', { level: 'silent' }),
    });
    const proxy = await stallingProxy(bounded.port);
    const slowClient = new DataServiceClient(`127.0.0.1:${proxy.port}`, credentials.createInsecure());
    try {
      await call<ListDatasetsResponse>((cb) => slowClient.listDatasets({}, cb)); // connected
      events.length = 0;
      proxy.stall();
      const stream = slowClient.streamBatches({ dataset: 'big', limit: 200, batchSize: 1 << 20, split: 0, offset: 0, indices: [], shardIndex: 0, shardCount: 0, labelsOnly: false });
      stream.on('error', () => undefined);
      const writes = () => events.filter((e) => e.startsWith('wrote')).length;
      await waitFor(() => writes() > 0);
      await waitForStable(writes);
      // Two queued, and at most one more the transport's flow-control window and socket buffers took.
      expect(writes()).toBeLessThanOrEqual(3);
      stream.cancel();
    } finally {
      slowClient.close();
      proxy.close();
      await bounded.shutdown(0);
    }
  });

  it('counts requests per method and code on /metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${service.metricsPort}/metrics`)).text();
    const sample = (name: string, labels: string[]) =>
      text.split('\n').find((line) => line.startsWith(`${name}{`) && labels.every((label) => line.includes(label)));
    const method = (name: string) => [`grpc_service="conjugate.v1.DataService"`, `grpc_method="${name}"`, 'app="tiny"'];
    expect(sample('grpc_server_handled_total', [...method('DescribeDataset'), 'grpc_code="INVALID_ARGUMENT"'])).toMatch(/ 1$/);
    expect(sample('grpc_server_handled_total', [...method('StreamBatches'), 'grpc_code="CANCELLED"'])).toMatch(/ 1$/);
    expect(sample('grpc_server_handling_seconds_count', [...method('ListDatasets'), 'grpc_code="OK"'])).toMatch(/ [1-9]\d*$/);
    expect(sample('grpc_server_msg_sent_total', method('StreamBatches'))).toMatch(/ [1-9]\d*$/);
  });
});

describe('shutdown', () => {
  const start = (events: string[]) =>
    startGrpcService({
      name: 'tiny',
      host: '127.0.0.1',
      port: 0,
      services: [{ definition: DataServiceService, implementation: tinyService(events) }],
      logger: createLogger('tiny', { level: 'silent' }),
    });

  it('lets an in-flight call finish within the grace period, then refuses new calls', async () => {
    const events: string[] = [];
    const service = await start(events);
    const client = new DataServiceClient(service.address, credentials.createInsecure());
    const inFlight = call<DatasetInfo>((cb) => client.describeDataset({ name: 'finishes-late' }, cb));
    await waitFor(() => events.includes('late started'));
    const stopped = service.shutdown(5_000);
    expect((await inFlight).name).toBe('finished');
    await stopped;
    await expect(call((cb) => client.listDatasets({}, new Metadata(), { deadline: Date.now() + 1_000 }, cb))).rejects.toMatchObject({
      code: expect.any(Number),
    });
    client.close();
  });

  it('releases what the service holds once, after it stopped, or when it cannot start', async () => {
    let released = 0;
    const service = await startGrpcService({
      name: 'tiny', host: '127.0.0.1', port: 0, services: [{ definition: DataServiceService, implementation: tinyService([]) }],
      logger: createLogger('tiny', { level: 'silent' }), release: () => released++,
    });
    expect(released).toBe(0);
    await Promise.all([service.shutdown(100), service.shutdown(100)]);
    expect(released).toBe(1);
    await expect(startGrpcService({
      name: 'tiny', host: '127.0.0.1', port: 0, services: [{ definition: DataServiceService, implementation: {} as ServiceHandlers<typeof DataServiceService> }],
      logger: createLogger('tiny', { level: 'silent' }), release: () => released++,
    })).rejects.toThrow(/no handler for/);
    expect(released).toBe(2);
  });

  it('cancels calls still running when the grace period ends', async () => {
    const events: string[] = [];
    const service = await start(events);
    const client = new DataServiceClient(service.address, credentials.createInsecure());
    const inFlight = call((cb) => client.describeDataset({ name: 'slow' }, cb));
    await waitFor(() => events.includes('slow started'));
    await service.shutdown(100);
    await expect(inFlight).rejects.toMatchObject({ code: expect.any(Number) });
    await waitFor(() => events.some((e) => e.startsWith('slow aborted')));
    expect(events.find((e) => e.startsWith('slow aborted'))).toContain('server is shutting down');
    client.close();
  });
});

describe('in-flight limit', () => {
  it('refuses calls beyond maxInFlightCalls with RESOURCE_EXHAUSTED naming the limit, answers health, and takes calls again once one ends', async () => {
    const events: string[] = [];
    const service = await startGrpcService({
      name: 'tiny', host: '127.0.0.1', port: 0, reflection: false, maxInFlightCalls: 2,
      services: [{ definition: DataServiceService, implementation: tinyService(events) }],
      logger: createLogger('tiny', { level: 'silent' }),
    });
    const client = new DataServiceClient(service.address, credentials.createInsecure());
    try {
      const slow = [1, 2].map(() => {
        let handle: { cancel(): void } | undefined;
        const ended = call((cb) => (handle = client.describeDataset({ name: 'slow' }, cb)));
        ended.catch(() => undefined);
        return { cancel: () => handle!.cancel(), ended };
      });
      await waitFor(() => events.filter((e) => e === 'slow started').length === 2);
      await expect(call((cb) => client.listDatasets({}, cb))).rejects.toMatchObject({
        code: status.RESOURCE_EXHAUSTED, details: expect.stringMatching(/2 calls are in flight, the limit MAX_IN_FLIGHT_CALLS=2/),
      });
      expect(await checkHealth(service.address)).toBe('SERVING');
      slow[0].cancel();
      await waitFor(() => events.filter((e) => e.startsWith('slow aborted')).length === 1);
      expect((await call<ListDatasetsResponse>((cb) => client.listDatasets({}, cb))).datasets).toHaveLength(1);
      slow[1].cancel();
      await Promise.allSettled(slow.map((s) => s.ended));
    } finally {
      client.close();
      await service.shutdown(0);
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// Waits until a counter has not changed for 300 ms (at most 10 s).
async function waitForStable(read: () => number) {
  const until = Date.now() + 10_000;
  let last = -1;
  while (read() !== last && Date.now() < until) {
    last = read();
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
