// MNIST train batches of 128: batches/s and MB/s through the data-service's gRPC stream on loopback
// (server gathers + encodes, client decodes to typed arrays) and through an in-process call (plan +
// gather, what an embedded consumer does without gRPC). Also the cold load of MNIST.
import { connectDataService } from '@conjugate/clients';
import { startDataService } from '@conjugate/data-service';
import { clearDatasetCache, DatasetRegistry, gatherBatch, planBatches } from '@conjugate/datasets';
import { Split } from '@conjugate/proto';
import { createLogger } from '@conjugate/service-kit';

const BATCH = 128;
const EPOCHS = 3;
const MB = 1024 * 1024;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  clearDatasetCache();
  let t = performance.now();
  const mnist = await new DatasetRegistry().load('mnist');
  console.log(`data.mnist_cold_load: ${(performance.now() - t).toFixed(0)} ms`);
  const imageBytes = 28 * 28 * 4;

  // In-process: the same plan and gather the service does, no encoding or transport.
  const inProcess: number[] = [];
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    t = performance.now();
    const plan = planBatches({ splitSize: 60_000, batchSize: BATCH, maxBatchSize: 4096, shuffleSeed: epoch, offset: 0, limit: 0, indices: [], splitName: 'train' });
    let checksum = 0;
    for (let i = 0; i < plan.numBatches; i++) checksum += gatherBatch(mnist, 'train', plan.batch(i)).labels[0];
    inProcess.push((performance.now() - t) / 1000);
    if (checksum < 0) throw new Error('unreachable');
  }

  const service = await startDataService({ host: '127.0.0.1', port: 0, logger: createLogger('bench', { level: 'warn' }) });
  const client = connectDataService(service.address);
  const grpc: number[] = [];
  let batches = 0;
  try {
    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      t = performance.now();
      batches = 0;
      for await (const batch of client.streamBatches({ dataset: 'mnist', split: Split.SPLIT_TRAIN, batchSize: BATCH, shuffleSeed: epoch })) {
        if (batch.images.length !== batch.shape[0] * 784) throw new Error('bad batch');
        batches++;
      }
      grpc.push((performance.now() - t) / 1000);
    }
  } finally {
    client.close();
    await service.shutdown(0);
  }
  const epochBytes = 60_000 * (imageBytes + 4 + 8);
  const report = (name: string, seconds: number) => {
    console.log(`data.${name}_batches_per_s: ${(batches / seconds).toFixed(0)} batches/s`);
    console.log(`data.${name}_throughput: ${(epochBytes / MB / seconds).toFixed(0)} MB/s`);
    console.log(`data.${name}_epoch: ${(seconds * 1000).toFixed(0)} ms`);
  };
  console.log(`data.batch_size: ${BATCH} images`);
  console.log(`data.batches_per_epoch: ${batches} batches`);
  report('grpc_loopback', median(grpc));
  report('in_process', median(inProcess));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
