import { connectNatsBus, type NatsServerHandle, startNatsServer } from '@conjugate/bus';
import { connectTrainingService } from '@conjugate/clients';
import { RunConfig, RunState } from '@conjugate/proto';
import { createLogger, isProcessAlive, killAndWait, type ServiceProcess, startServiceProcess } from '@conjugate/service-kit';
import { RunStore } from './run-store';
import { tempDir, waitForEnd } from './test-support';
import { startTrainingService } from './training-service';

const silent = createLogger('training-test', { level: 'silent' });
let nats: NatsServerHandle;
let data: ServiceProcess;

beforeAll(async () => {
  nats = await startNatsServer();
  data = await startServiceProcess('data-service', {});
});
afterAll(async () => {
  if (data) await killAndWait(data.process, 'SIGTERM');
  await nats?.stop();
});

// Epochs of 128 steps: long enough that the kill lands inside one.
const config = RunConfig.fromPartial({
  name: 'killed and resumed', dataset: 'mnist', model: { architecture: 'tiny' }, epochs: 2, batchSize: 8, seed: 3, trainLimit: 1024, evaluation: { testLimit: 200 },
});

it('SIGKILL mid-epoch, restart: the run completes from its last checkpoint, each epoch recorded and published once, same weights as without the crash', async () => {
  const runsDir = await tempDir('conjugate-restart-');
  const env = { DATA_SERVICE_ADDRESS: data.address, NATS_URL: nats.url, RUNS_DIR: runsDir.path };
  const cleanups: (() => Promise<void> | void)[] = [() => runsDir.remove()];
  try {
    const first = await startServiceProcess('training-service', env);
    cleanups.unshift(() => killAndWait(first.process, 'SIGKILL'));
    const firstClient = connectTrainingService(first.address);
    cleanups.unshift(() => firstClient.close());
    const runId = (await firstClient.startRun(config)).id;
    // Kill as soon as epoch 1 is recorded and epoch 2 is under way (epoch 1's evaluation overlaps epoch 2's
    // training, so either may come first); epoch 2 is not recorded then.
    let epoch1Recorded = false;
    let epoch2Training = false;
    for await (const event of firstClient.watchRun(runId)) {
      if (event.event?.$case === 'epoch' && event.event.value.metrics!.epoch === 1) epoch1Recorded = true;
      if (event.event?.$case === 'progress' && event.event.value.epoch === 2 && event.event.value.progress!.done > 0) epoch2Training = true;
      if (epoch1Recorded && epoch2Training) break;
      if (event.event?.$case === 'status' && event.event.value.state !== RunState.RUN_STATE_RUNNING && event.event.value.state !== RunState.RUN_STATE_PENDING) {
        throw new Error(`run ended before it could be killed: ${event.event.value.reason}\n${first.log()}`);
      }
    }
    await killAndWait(first.process, 'SIGKILL');
    expect(isProcessAlive(first.process.pid!)).toBe(false);
    expect((await new RunStore(runsDir.path).list()).map((r) => r.epochsDone)).toEqual([1]);

    const second = await startServiceProcess('training-service', env);
    cleanups.unshift(() => killAndWait(second.process, 'SIGTERM'));
    const client = connectTrainingService(second.address);
    cleanups.unshift(() => client.close());
    const run = await waitForEnd(client, runId);
    expect([run.state, run.reason]).toEqual([RunState.RUN_STATE_COMPLETED, '']);
    expect(run.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    const resumed = await client.getCheckpoint(runId, -1);

    // Every epoch event on NATS exactly once.
    const bus = await connectNatsBus({ url: nats.url });
    cleanups.unshift(() => bus.close());
    const epochs: number[] = [];
    for await (const message of bus.subscribe({ runId, replay: true })) {
      const event = message.event.event!;
      if (event.$case === 'epoch') epochs.push(event.value.metrics!.epoch);
      if (event.$case === 'status' && event.value.state === RunState.RUN_STATE_COMPLETED) break;
    }
    expect(epochs).toEqual([0, 1, 2]);

    // The same config, never interrupted (in process), ends with bit-identical weights and metrics.
    const cleanDir = await tempDir('conjugate-uninterrupted-');
    cleanups.unshift(() => cleanDir.remove());
    const reference = await startTrainingService({ port: 0, host: '127.0.0.1', reflection: false, dataServiceAddress: data.address, runsDir: cleanDir.path, logger: silent });
    cleanups.unshift(() => reference.shutdown());
    const referenceClient = connectTrainingService(reference.address);
    cleanups.unshift(() => referenceClient.close());
    const uninterrupted = await waitForEnd(referenceClient, (await referenceClient.startRun(config)).id);
    const straight = await referenceClient.getCheckpoint(uninterrupted.id, -1);
    expect(resumed.weights).toEqual(straight.weights);
    const strip = (epochs: typeof run.epochs) => epochs.map(({ timings: _t, ...rest }) => rest);
    expect(strip(run.epochs)).toEqual(strip(uninterrupted.epochs));
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
});
