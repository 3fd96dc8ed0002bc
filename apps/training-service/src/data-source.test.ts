import { createServer } from 'node:net';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { connectDataService } from '@conjugate/clients';
import { Split, type StreamBatchesRequest } from '@conjugate/proto';
import { killAndWait, type ServiceProcess, startServiceProcess } from '@conjugate/service-kit';
import { remainderOf, trainingDataFrom, type TrainingData } from './data-source';

const freePort = () => new Promise<number>((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  });
});

/** Each batch as what training sees: its position, the image indices and the sum of its pixels. */
async function read(data: TrainingData, request: StreamBatchesRequest, afterBatch: (received: number) => Promise<void> = async () => {}) {
  const seen: Array<{ batchIndex: number; numBatches: number; indices: number[]; pixelSum: number; labels: number[] }> = [];
  const messages: Array<{ batchIndex: number; numBatches: number; indices: number[] }> = [];
  for await (const batch of data.batches(request, new AbortController().signal, (m) => messages.push({ batchIndex: m.batchIndex, numBatches: m.numBatches, indices: m.indices }))) {
    seen.push({ ...messages.at(-1)!, pixelSum: (await tf.sum(batch.images).data())[0], labels: Array.from(await batch.labels.data()) });
    tf.dispose([batch.images, batch.labels]);
    await afterBatch(seen.length);
  }
  return seen;
}

describe('trainingDataFrom', () => {
  beforeAll(() => initBackend());

  it('the rest of a stream after some images: the same window shifted, or the remaining explicit indices', () => {
    const base: StreamBatchesRequest = { dataset: 'mnist', split: Split.SPLIT_TRAIN, batchSize: 10, shuffleSeed: 4, offset: 5, limit: 100, indices: [], shardIndex: 0, shardCount: 0, labelsOnly: false };
    expect(remainderOf(base, 30)).toEqual({ ...base, offset: 35, limit: 70 });
    expect(remainderOf({ ...base, limit: 0 }, 30)).toEqual({ ...base, offset: 35, limit: 0 });
    expect(remainderOf({ ...base, indices: [9, 8, 7, 6] }, 3)).toEqual({ ...base, indices: [6] });
  });

  it('resumes a stream the data-service dropped (SIGKILLed, restarted on the same port) after the last batch received: the same batches in the same order', async () => {
    const port = await freePort();
    const env = { PORT: String(port) };
    let service: ServiceProcess = await startServiceProcess('data-service', env);
    const client = connectDataService(service.address);
    const resumes: number[] = [];
    const data = trainingDataFrom(client, service.address, { onResume: ({ batchesReceived }) => resumes.push(batchesReceived) });
    try {
      // 40 batches of 32 MNIST images (100 KB each): far more than gRPC's flow-control window holds, so the
      // service is still streaming when it is killed after the client has taken 3.
      const shuffled: StreamBatchesRequest = { dataset: 'mnist', split: Split.SPLIT_TRAIN, batchSize: 32, shuffleSeed: 11, offset: 0, limit: 1280, indices: [], shardIndex: 0, shardCount: 0, labelsOnly: false };
      const unbroken = await read(data, shuffled);
      expect(unbroken.map((b) => b.batchIndex)).toEqual(Array.from({ length: 40 }, (_, i) => i));

      const resumed = await read(data, shuffled, async (received) => {
        if (received !== 3) return;
        await killAndWait(service.process, 'SIGKILL');
        service = await startServiceProcess('data-service', env);
      });
      // Resumed (maybe after a few tries while the channel reconnects), each time after the 3 batches taken.
      expect([...new Set(resumes)]).toEqual([3]);
      expect(resumed).toEqual(unbroken);

      // Explicit indices (a run's stored train subset) resume the same way.
      const indices: StreamBatchesRequest = { ...shuffled, indices: unbroken.flatMap((b) => b.indices).reverse() };
      const straight = await read(data, indices);
      const again = await read(data, indices, async (received) => {
        if (received !== 2) return;
        await killAndWait(service.process, 'SIGKILL');
        service = await startServiceProcess('data-service', env);
      });
      expect([...new Set(resumes)]).toEqual([3, 2]);
      expect(again).toEqual(straight);
    } finally {
      client.close();
      await service.stop();
    }
  });
});
