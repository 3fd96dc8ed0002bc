import { DataServiceService } from '@conjugate/proto';
import { createLogger } from './logger';
import { residentKb, scrapeMetric, settledMemory } from './process-memory';
import { startGrpcService } from './server';

const unimplemented = () => Promise.reject(new Error('not here'));

it('reads the resident set of a process from /proc', () => {
  const kb = residentKb(process.pid);
  const rssKb = process.memoryUsage.rss() / 1024;
  expect(kb).toBeGreaterThan(rssKb / 2);
  expect(kb).toBeLessThan(rssKb * 2);
});

it('scrapes a service\'s metrics and reads its memory once no call is in flight', async () => {
  const service = await startGrpcService({
    name: 'memory-test', host: '127.0.0.1', port: 0, metricsPort: 0, reflection: false,
    services: [{ definition: DataServiceService, implementation: { listDatasets: unimplemented, describeDataset: unimplemented, streamBatches: unimplemented } }],
    tensorMemory: () => ({ numTensors: 7, numBytes: 28 }),
    logger: createLogger('memory-test', { level: 'silent' }),
  });
  try {
    expect(await scrapeMetric(service.metricsPort!, 'conjugate_tfjs_bytes')).toBe(28);
    expect(await scrapeMetric(service.metricsPort!, 'conjugate_tfjs_bytes', 'app="other"')).toBe(0);
    const memory = await settledMemory({ process: { pid: process.pid }, metricsPort: service.metricsPort });
    expect(memory).toEqual({ residentKb: expect.any(Number), tensors: 7 });
    expect(memory.residentKb).toBeGreaterThan(0);
  } finally {
    await service.shutdown(0);
  }
});
