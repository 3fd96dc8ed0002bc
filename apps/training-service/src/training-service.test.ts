import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { connectNatsBus, type EventBus, type NatsServerHandle, startNatsServer } from '@conjugate/bus';
import { connectTrainingService, type TrainingClient } from '@conjugate/clients';
import { Model, RunConfig, RunState, type EpochMetrics, type Run } from '@conjugate/proto';
import { createLogger, killAndWait, type ServiceProcess, startServiceProcess } from '@conjugate/service-kit';
import { mnistTestImages } from './mnist-test-images';
import { InProcessRobustness } from './in-process-robustness';
import { RunStore } from './run-store';
import { tempDir, waitForEnd } from './test-support';
import { startTrainingService, type TrainingServiceHandle } from './training-service';

const silent = createLogger('training-test', { level: 'silent' });
let nats: NatsServerHandle;
let bus: EventBus;
let data: ServiceProcess;
let runsDir: Awaited<ReturnType<typeof tempDir>>;
let service: TrainingServiceHandle;
let client: TrainingClient;
let evaluator: InProcessRobustness;
let robustImages: { images: tf.Tensor4D; labels: tf.Tensor1D };
const fetchedMatches: boolean[] = [];

beforeAll(async () => {
  await initBackend();
  nats = await startNatsServer();
  bus = await connectNatsBus({ url: nats.url });
  data = await startServiceProcess('data-service', {});
  runsDir = await tempDir('conjugate-training-');
  robustImages = await mnistTestImages(data.address, 32);
  // The evaluator fetches the epoch's checkpoint by reference, as the remote one does, and checks it is the one it was given.
  evaluator = new InProcessRobustness(robustImages.images, robustImages.labels, undefined, async (context) => {
    if (context.model.source?.$case !== 'ref') throw new Error('expected a checkpoint reference');
    const fetched = await client.getCheckpoint(context.model.source.value.runId, context.model.source.value.epoch);
    fetchedMatches.push(Buffer.from(Model.encode(fetched).finish()).equals(Buffer.from(Model.encode(context.modelMessage).finish())));
  });
  service = await startTrainingService({ port: 0, host: '127.0.0.1', reflection: false, dataServiceAddress: data.address, runsDir: runsDir.path, bus, evaluator, logger: silent });
  client = connectTrainingService(service.address);
});
afterAll(async () => {
  client?.close();
  await service?.shutdown();
  if (data) await killAndWait(data.process, 'SIGTERM');
  await bus?.close();
  await nats?.stop();
  await runsDir?.remove();
  tf.dispose(robustImages);
});

const config = RunConfig.fromPartial({
  name: 'two tiny epochs',
  dataset: 'mnist',
  model: { architecture: 'tiny' },
  epochs: 2,
  batchSize: 32,
  seed: 7,
  trainLimit: 512,
  evaluation: { testLimit: 500 },
});

/** What must be identical between two runs of one config: everything but wall-clock timings. */
const withoutTimings = (epochs: EpochMetrics[]) => epochs.map(({ timings: _timings, ...rest }) => rest);

describe('a 2-epoch tiny run on an MNIST subset', () => {
  let run: Run;
  beforeAll(async () => {
    run = await waitForEnd(client, (await client.startRun(config)).id);
  });

  it('completes with epochs 0, 1, 2 recorded once, learning as it goes', () => {
    expect([run.state, run.reason, run.epochsDone]).toEqual([RunState.RUN_STATE_COMPLETED, '', 2]);
    expect(run.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    const [before, first, second] = run.epochs;
    expect(before.testAccuracy).toBeLessThan(0.3); // untrained: about chance
    expect(second.testAccuracy).toBeGreaterThan(0.6);
    expect(second.trainLoss).toBeLessThan(first.trainLoss);
    expect(first.timings!.imagesPerSecond).toBeGreaterThan(0);
    // The test-accuracy step first, then the evaluator's own steps (none for this one).
    expect(first.timings!.steps.map((s) => s.step)).toEqual(['test-accuracy']);
    expect(run.config!.model!.inputShape).toEqual([28, 28, 1]);
  });

  it('evaluates every epoch with the stored checkpoint and records the measurements', () => {
    expect(evaluator.epochs.slice(0, 3)).toEqual([0, 1, 2]);
    expect(fetchedMatches.slice(0, 3)).toEqual([true, true, true]);
    for (const metrics of run.epochs) {
      const result = metrics.robustPixel!.result!;
      expect(result.total).toBe(32);
      expect(result.robustAccuracy).toBeLessThanOrEqual(result.cleanAccuracy);
      expect(metrics.robustFeature!.missingReason).not.toBe('');
    }
  });

  it('publishes status and epoch events on NATS, each epoch once, for a late subscriber', async () => {
    const late = await connectNatsBus({ url: nats.url });
    try {
      const seen: string[] = [];
      for await (const message of late.subscribe({ runId: run.id, replay: true })) {
        const e = message.event.event!;
        seen.push(e.$case === 'status' ? `status:${RunState[e.value.state]}` : `${e.$case}:${e.$case === 'epoch' ? e.value.metrics!.epoch : ''}`);
        if (seen.at(-1) === 'status:RUN_STATE_COMPLETED') break;
      }
      expect(seen).toEqual(['status:RUN_STATE_PENDING', 'status:RUN_STATE_RUNNING', 'epoch:0', 'epoch:1', 'epoch:2', 'status:RUN_STATE_COMPLETED']);
    } finally {
      await late.close();
    }
  });

  it('serves each checkpoint exactly as stored; latest is epoch 2', async () => {
    const store = new RunStore(runsDir.path);
    for (const epoch of [0, 1, 2]) {
      const served = await client.getCheckpoint(run.id, epoch);
      const stored = (await store.loadCheckpoint(run.id, epoch))!.model!;
      expect(Buffer.from(Model.encode(served).finish()).equals(Buffer.from(Model.encode(stored).finish()))).toBe(true);
      expect([served.runId, served.epoch]).toEqual([run.id, epoch]);
    }
    expect((await client.getCheckpoint(run.id, -1)).epoch).toBe(2);
  });

  it('WatchRun of a finished run streams its history and ends', async () => {
    const events: string[] = [];
    for await (const event of client.watchRun(run.id)) events.push(event.event!.$case === 'epoch' ? `epoch:${event.event!.value.metrics!.epoch}` : event.event!.$case);
    expect(events).toEqual(['status', 'epoch:0', 'epoch:1', 'epoch:2']);
  });

  it('is deterministic: the same config again gives identical weights and metrics; WatchRun follows it live to the end', async () => {
    const id = (await client.startRun(config)).id;
    // Watched from the start: the stream ends by itself after the final status, each epoch once.
    const seen: string[] = [];
    for await (const event of client.watchRun(id)) {
      const e = event.event!;
      if (e.$case === 'status') seen.push(RunState[e.value.state]);
      if (e.$case === 'epoch') seen.push(`epoch:${e.value.metrics!.epoch}`);
    }
    expect(seen.filter((s) => s.startsWith('epoch'))).toEqual(['epoch:0', 'epoch:1', 'epoch:2']);
    expect(seen.at(-1)).toBe('RUN_STATE_COMPLETED');
    const again = await client.getRun(id);
    expect(withoutTimings(again.epochs)).toEqual(withoutTimings(run.epochs));
    const a = await client.getCheckpoint(run.id, 2);
    const b = await client.getCheckpoint(again.id, 2);
    expect(b.weights).toEqual(a.weights);
  });
});

it('StopRun stops a running run: STOPPED, with the epochs it finished', async () => {
  const started = await client.startRun(RunConfig.fromPartial({ ...config, epochs: 50, batchSize: 8, trainLimit: 2048 }));
  for await (const event of client.watchRun(started.id)) {
    if (event.event?.$case === 'epoch') break; // epoch 0 recorded: it is training now
  }
  const stopped = await client.stopRun(started.id);
  expect(stopped.state).toBe(RunState.RUN_STATE_STOPPED);
  expect(stopped.reason).toMatch(/stopped by request/);
  expect(stopped.epochsDone).toBeLessThan(50);
  expect((await client.getRun(started.id)).state).toBe(RunState.RUN_STATE_STOPPED);
});

it('keeps only the checkpoints its retention names: the last one, epoch 0 and the listed epochs; a pruned one is NOT_FOUND', async () => {
  const keepingDir = await tempDir('conjugate-retention-');
  const keeping = await startTrainingService({
    port: 0, host: '127.0.0.1', reflection: false, dataServiceAddress: data.address, runsDir: keepingDir.path, bus, logger: silent,
    checkpointRetention: { keepLast: 1, keepEpochs: [2] },
  });
  const keepingClient = connectTrainingService(keeping.address);
  try {
    const run = await waitForEnd(keepingClient, (await keepingClient.startRun(RunConfig.fromPartial({ ...config, epochs: 4 }))).id);
    expect([run.state, run.epochsDone]).toEqual([RunState.RUN_STATE_COMPLETED, 4]);
    expect(await new RunStore(keepingDir.path).checkpointEpochs(run.id)).toEqual([0, 2, 4]);
    await expect(keepingClient.getCheckpoint(run.id, 3)).rejects.toMatchObject({ code: 5, details: expect.stringMatching(/no checkpoint for epoch 3/) });
  } finally {
    keepingClient.close();
    await keeping.shutdown();
    await keepingDir.remove();
  }
});
