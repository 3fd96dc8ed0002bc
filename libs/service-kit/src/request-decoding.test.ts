import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { Client, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { DataServiceService, DatasetInfo, type Batch } from '@conjugate/proto';
import { invalidArgument } from './errors';
import { checkString } from './field-checks';
import type { ServiceHandlers } from './handlers';
import { createLogger } from './logger';
import { explainUndecodable } from './request-decoding';
import { findProtoDir } from './protoDir';
import { startGrpcService, type GrpcServiceHandle } from './server';

const handlers: ServiceHandlers<typeof DataServiceService> = {
  listDatasets: () => ({ datasets: [] }),
  describeDataset: (request) => {
    if (request.name === 'echo') throw invalidArgument(`name: ${'x'.repeat(100_000)}`);
    checkString(request.name, 'name', 64);
    return DatasetInfo.fromPartial({ name: request.name });
  },
  streamBatches: async (request, stream) => {
    await stream.write({ images: undefined, labels: undefined, indices: [request.offset], batchIndex: 0, numBatches: 1 } satisfies Batch);
  },
};

const identity = (bytes: Buffer) => bytes;

describe('requests that cannot be decoded', () => {
  let service: GrpcServiceHandle;
  let client: Client;
  beforeAll(async () => {
    service = await startGrpcService({
      name: 'decoding',
      host: '127.0.0.1',
      port: 0,
      services: [{ definition: DataServiceService, implementation: handlers }],
      logger: createLogger('decoding', { level: 'silent' }),
    });
    client = new Client(service.address, credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await service.shutdown(0);
  });

  const unary = (method: string, bytes: Uint8Array) =>
    new Promise<Buffer>((resolve, reject) =>
      client.makeUnaryRequest(`/conjugate.v1.DataService/${method}`, identity, identity, Buffer.from(bytes), (error: ServiceError | null, response?: Buffer) =>
        error ? reject(error) : resolve(response!),
      ),
    );
  const streamed = (bytes: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      const call = client.makeServerStreamRequest('/conjugate.v1.DataService/StreamBatches', identity, identity, Buffer.from(bytes));
      call.on('data', () => undefined);
      call.on('error', reject);
      call.on('end', resolve);
    });

  it('answers INVALID_ARGUMENT naming an int64 field beyond 2^53 instead of INTERNAL', async () => {
    const bytes = new BinaryWriter().uint32((5 << 3) | 0).int64(2n ** 60n).finish();
    await expect(streamed(bytes)).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/^offset: 1152921504606846976 is outside/) });
  });

  it('names the index of a repeated int64 field', async () => {
    const bytes = new BinaryWriter().uint32((7 << 3) | 2).fork().int64(1).int64(-(2n ** 62n)).join().finish();
    await expect(streamed(bytes)).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/^indices\[1\]: /) });
  });

  it('answers INVALID_ARGUMENT for bytes that are no message at all', async () => {
    await expect(unary('DescribeDataset', Buffer.from([0x0a, 0xff, 0xff, 0x01]))).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^request is not a valid conjugate\.v1\.DescribeDatasetRequest/),
    });
  });

  it('refuses a 16 MB name by its length and never echoes it', async () => {
    const name = 'n'.repeat(16 * 1024 * 1024);
    const bytes = new BinaryWriter().uint32((1 << 3) | 2).string(name).finish();
    const error = (await unary('DescribeDataset', bytes).catch((e: unknown) => e)) as ServiceError;
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toBe(`name: at most 64 characters, got ${name.length}`);
  });

  it('bounds a status message so the client can still read it', async () => {
    const bytes = new BinaryWriter().uint32((1 << 3) | 2).string('echo').finish();
    const error = (await unary('DescribeDataset', bytes).catch((e: unknown) => e)) as ServiceError;
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details.length).toBeLessThan(2100);
    expect(error.details).toMatch(/more characters\)$/);
  });

  it('names nested int64 fields too', () => {
    // AttackBatchRequest.images (3) → Tensor.shape (2)
    const tensor = new BinaryWriter().uint32((2 << 3) | 0).int64(2n ** 40n).uint32((2 << 3) | 0).int64(2n ** 55n).finish();
    const bytes = new BinaryWriter().uint32((3 << 3) | 2).bytes(tensor).finish();
    expect(explainUndecodable(Buffer.from(bytes), 'conjugate.v1.AttackBatchRequest', new Error('x'), findProtoDir())).toMatch(/^images\.shape\[1\]: 36028797018963968 is outside/);
  });
});
