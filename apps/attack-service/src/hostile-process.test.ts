import { setTimeout as sleep } from 'node:timers/promises';
import { status } from '@grpc/grpc-js';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { connectAttackService, type AttackClient } from '@conjugate/clients';
import { createClassifier, toModelMessage, type TrainableClassifier } from '@conjugate/models';
import type { AttackBatchRequest, Model } from '@conjugate/proto';
import { checkHealth, residentKb, scrapeMetric, startServiceProcess, type ServiceProcess } from '@conjugate/service-kit';
import { toTensorMessage } from '@conjugate/tensor';

// Issue 19 against the attack-service as its own process (as in production), over a real socket: its
// /metrics (the server's own record of when a call ended, and tf.memory()) and /proc/<pid>/status (RSS)
// show whether a cancelled request really stopped and left memory where it was.
let service: ServiceProcess;
let client: AttackClient;
let model: TrainableClassifier;
let inline: Model;

beforeAll(async () => {
  await initBackend();
  service = await startServiceProcess('attack-service', { METRICS_PORT: '0' });
  client = connectAttackService(service.address);
  model = createClassifier({ architecture: 'cnn3', inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
  inline = toModelMessage(model);
}, 90_000);
afterAll(async () => {
  client?.close();
  await service?.stop();
  model?.dispose();
});

/** `images` MNIST-shaped images attacked by PGD with `steps` steps, cnn3 inline: 256 × 1000 is minutes of work here. */
function pgdRequest(images: number, steps: number): AttackBatchRequest {
  const pixels = tf.randomUniform([images, 28, 28, 1], 0, 1, 'float32', 7);
  const labels = tf.tensor1d(Array.from({ length: images }, (_, i) => i % 10), 'int32');
  try {
    return {
      model: { source: { $case: 'inline', value: inline } },
      attack: { method: 0, norm: 0, space: 0, randomStart: false, seed: 0, steps },
      images: toTensorMessage(pixels),
      labels: toTensorMessage(labels),
    };
  } finally {
    tf.dispose([pixels, labels]);
  }
}
const outcome = (promise: Promise<unknown>) => promise.then(() => ({ code: status.OK, details: '' }), (error: { code: number; details: string }) => error);

const metric = (name: string, ...labels: string[]) => scrapeMetric(service.metricsPort!, name, ...labels);
const attackBatchesEnded = () => metric('grpc_server_handled_total', 'grpc_method="AttackBatch"');
const attackBatchesStarted = () => metric('grpc_server_started_total', 'grpc_method="AttackBatch"');
const liveTensors = () => metric('conjugate_tfjs_tensors');

/** Polls until `condition` holds or `waitMs` passed; true when it held. */
async function eventually(condition: () => Promise<boolean>, waitMs: number): Promise<boolean> {
  for (const end = Date.now() + waitMs; Date.now() < end; await sleep(100)) if (await condition()) return true;
  return condition();
}

const residentKbOfService = () => residentKb(service.process.pid!);

it('stops a PGD of minutes at its 5 s deadline, answering health meanwhile, and frees its tensors', async () => {
  const tensorsBefore = await liveTensors();
  const endedBefore = await attackBatchesEnded();
  let answered = false;
  const attack = outcome(client.attackBatch(pgdRequest(256, 1000), { deadlineMs: 5000 })).finally(() => (answered = true));
  await sleep(2500);
  expect(answered).toBe(false);
  expect(await checkHealth(service.address)).toBe('SERVING'); // while it computes
  expect(await attack).toMatchObject({ code: status.DEADLINE_EXCEEDED });
  expect(await checkHealth(service.address)).toBe('SERVING');
  // The server records a call when its handler has returned, i.e. when PGD has stopped. 1000 steps of this
  // batch take minutes here, so a server that computes to the end fails the wait; one step is well under 1 s.
  expect(await eventually(async () => (await attackBatchesEnded()) > endedBefore, 30_000)).toBe(true);
  // The server's own duration of the call: in the ≤ 10 s bucket (5 s of slack for a loaded machine), not the 60 s one.
  expect(await metric('grpc_server_handling_seconds_bucket', 'grpc_method="AttackBatch"', 'grpc_code="DEADLINE_EXCEEDED"', 'le="10"')).toBe(1);
  expect(await eventually(async () => (await liveTensors()) === tensorsBefore, 5_000)).toBe(true);
}, 90_000);

it('keeps its resident memory after 100 cancelled heavy attacks', async () => {
  // Each request carries 128 images (0.4 MB) and the model (0.37 MB) and would compute for minutes. One at
  // a time: the client cancels it once the server holds its tensors (the model is built, PGD under way).
  const idle = async () => (await attackBatchesStarted()) === (await attackBatchesEnded()) && (await liveTensors()) === tensorsBaseline;
  const cancelledAttacks = async (count: number) => {
    for (let i = 0; i < count; i++) {
      expect(await eventually(idle, 30_000)).toBe(true);
      const controller = new AbortController();
      const attack = outcome(client.attackBatch(pgdRequest(128, 1000), { signal: controller.signal, deadlineMs: 60_000 }));
      expect(await eventually(async () => (await liveTensors()) > tensorsBaseline, 10_000)).toBe(true);
      controller.abort();
      expect((await attack).code).toBe(status.CANCELLED);
    }
    // Every handler has stopped and every tensor is freed before RSS is read.
    expect(await eventually(async () => (await attackBatchesStarted()) === (await attackBatchesEnded()), 30_000)).toBe(true);
    expect(await eventually(async () => (await liveTensors()) === tensorsBaseline, 5_000)).toBe(true);
  };
  const tensorsBaseline = await liveTensors();
  // Warm-up: the wasm heap, the model cache and V8's heap grow to their working size on the first calls.
  await cancelledAttacks(10);
  const before = residentKbOfService();
  await cancelledAttacks(100);
  const after = residentKbOfService();
  if (process.env.I19_DEBUG) console.log({ before, after });
  // 10 %: over 300 such calls RSS wandered by up to 6 % here (V8's heap between collections) without
  // trend; keeping one request (images and model, 0.77 MB) per call would add 77 MB over 100 calls,
  // 30 % of the ~250 MB this service holds (docs/limits.md).
  expect({ beforeKb: before, afterKb: after, withinTenPercent: after <= before * 1.1 }).toMatchObject({ withinTenPercent: true });
  expect(await checkHealth(service.address)).toBe('SERVING');
}, 180_000);

it('refuses a 16 MB run id with INVALID_ARGUMENT naming the field, without echoing it', async () => {
  const runId = 'r'.repeat(16 * 1024 * 1024);
  const result = await outcome(client.attackBatch({ ...pgdRequest(2, 1), model: { source: { $case: 'ref', value: { runId, epoch: 0 } } } }, { deadlineMs: 10_000 }));
  expect(result).toMatchObject({ code: status.INVALID_ARGUMENT, details: `model.ref.run_id: at most 128 characters, got ${runId.length}` });
  expect(await checkHealth(service.address)).toBe('SERVING');
}, 30_000);
