import { Metadata, status } from '@grpc/grpc-js';
import { Batch, DataServiceClient, DataServiceService, DatasetInfo } from '@conjugate/proto';
import { createLogger, invalidArgument, startGrpcService, type GrpcServiceHandle, type ServiceHandlers } from '@conjugate/service-kit';
import { createClient, serverStream, unaryCall } from './grpc-client';

// A tiny DataService that records what the server saw, to check cancellation reaches it.
describe('grpc-client helpers against a real server', () => {
  const seen: string[] = [];
  let service: GrpcServiceHandle;
  let client: DataServiceClient;

  beforeAll(async () => {
    const implementation: ServiceHandlers<typeof DataServiceService> = {
      listDatasets: () => ({ datasets: [DatasetInfo.fromPartial({ name: 'tiny' })] }),
      describeDataset: async (request, context) => {
        if (request.name === 'bad') throw invalidArgument('name: "bad" is not allowed');
        await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
        seen.push(`describe aborted`);
        return DatasetInfo.fromPartial({});
      },
      streamBatches: async (request, stream) => {
        try {
          for (let i = 0; i < request.limit; i++) await stream.write(Batch.fromPartial({ batchIndex: i }));
          seen.push('stream finished');
        } catch (error) {
          seen.push(`stream stopped: ${(error as Error).message}`);
          throw error;
        }
      },
    };
    service = await startGrpcService({
      name: 'tiny',
      host: '127.0.0.1',
      port: 0,
      logger: createLogger('tiny', { level: 'silent' }),
      services: [{ definition: DataServiceService, implementation }],
    });
    client = createClient(DataServiceClient, service.address);
  });
  afterAll(async () => {
    client.close();
    await service.shutdown(0);
  });

  it('unaryCall resolves with the response and rejects with the status', async () => {
    expect((await unaryCall(client, client.listDatasets, {})).datasets[0].name).toBe('tiny');
    await expect(unaryCall(client, client.describeDataset, { name: 'bad' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'name: "bad" is not allowed',
    });
  });

  it('unaryCall honours the deadline and the abort signal', async () => {
    await expect(unaryCall(client, client.describeDataset, { name: 'wait' }, { deadlineMs: 100 })).rejects.toMatchObject({
      code: status.DEADLINE_EXCEEDED,
    });
    const abort = new AbortController();
    const pending = unaryCall(client, client.describeDataset, { name: 'wait' }, { signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    await expect(pending).rejects.toMatchObject({ code: status.CANCELLED });
    await waitFor(() => seen.filter((s) => s === 'describe aborted').length === 2);
  });

  it('serverStream yields every message of a finished stream', async () => {
    const indices: number[] = [];
    for await (const batch of serverStream((options) => client.streamBatches(request(50), options))) indices.push(batch.batchIndex);
    expect(indices).toEqual([...Array(50).keys()]);
  });

  it('serverStream honours the deadline', async () => {
    const slowReader = async () => {
      for await (const _batch of serverStream((options) => client.streamBatches(request(1_000_000), new Metadata(), options), { deadlineMs: 200 })) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await expect(slowReader()).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
  });

  it('breaking out of for-await cancels the call on the server', async () => {
    seen.length = 0;
    let count = 0;
    for await (const _batch of serverStream((options) => client.streamBatches(request(1_000_000), options))) {
      if (++count === 3) break;
    }
    await waitFor(() => seen.length > 0);
    expect(seen[0]).toMatch(/^stream stopped: .*cancelled/);
  });

  it('aborting the signal ends the loop with the reason and cancels the call', async () => {
    seen.length = 0;
    const abort = new AbortController();
    const consume = async () => {
      for await (const batch of serverStream((options) => client.streamBatches(request(1_000_000), options), { signal: abort.signal })) {
        if (batch.batchIndex === 5) abort.abort(new Error('user pressed ctrl-c'));
      }
    };
    await expect(consume()).rejects.toThrow('user pressed ctrl-c');
    await waitFor(() => seen.length > 0);
    expect(seen[0]).toMatch(/^stream stopped: .*cancelled/);
  });
});

const request = (limit: number) => ({ dataset: 'x', split: 0, batchSize: 1, offset: 0, limit, indices: [], shardIndex: 0, shardCount: 0, labelsOnly: false });

async function waitFor(condition: () => boolean, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
