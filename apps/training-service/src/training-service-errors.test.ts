import { status } from '@grpc/grpc-js';
import { connectTrainingService, type TrainingClient } from '@conjugate/clients';
import { RunConfig, RunState } from '@conjugate/proto';
import { createLogger } from '@conjugate/service-kit';
import { startTrainingService, type TrainingServiceHandle } from './training-service';
import { refusal, tempDir, waitForEnd } from './test-support';

// A data-service address nobody listens on: the run must fail with the reason (after waiting 0.5 s for it), the service stay up.
const UNREACHABLE = '127.0.0.1:1';

let service: TrainingServiceHandle;
let client: TrainingClient;
let runsDir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  runsDir = await tempDir('conjugate-training-errors-');
  service = await startTrainingService({ port: 0, host: '127.0.0.1', reflection: false, dataServiceAddress: UNREACHABLE, dataServiceWaitMs: 500, runsDir: runsDir.path, logger: createLogger('training-test', { level: 'silent' }) });
  client = connectTrainingService(service.address);
});
afterAll(async () => {
  client.close();
  await service.shutdown();
  await runsDir.remove();
});

const config = (change: Partial<RunConfig> = {}) =>
  RunConfig.fromPartial({ name: 'errors', dataset: 'mnist', model: { architecture: 'tiny' }, epochs: 1, batchSize: 16, trainLimit: 64, ...change });

it.each<[string, Partial<RunConfig>, number, string]>([
  ['epochs 0', { epochs: 0 }, status.INVALID_ARGUMENT, 'config.epochs'],
  ['batch size 0', { batchSize: 0 }, status.INVALID_ARGUMENT, 'config.batch_size'],
  ['negative learning rate', { learningRate: -1 }, status.INVALID_ARGUMENT, 'config.learning_rate'],
  ['unknown model', { model: { architecture: 'alexnet', inputShape: [], numClasses: 0, featureLayer: '', seed: 0 } }, status.NOT_FOUND, 'config.model.architecture'],
])('StartRun refuses %s naming the field', async (_what, change, code, field) => {
  const refused = await refusal(client.startRun(config(change)));
  expect(refused.code).toBe(code);
  expect(refused.details).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}:`));
});

it('unknown runs are NOT_FOUND, a missing run id INVALID_ARGUMENT', async () => {
  expect((await refusal(client.getRun('no-such-run'))).code).toBe(status.NOT_FOUND);
  expect((await refusal(client.stopRun('no-such-run'))).code).toBe(status.NOT_FOUND);
  expect((await refusal(client.getCheckpoint('no-such-run', -1))).code).toBe(status.NOT_FOUND);
  expect((await refusal(client.getRun(''))).code).toBe(status.INVALID_ARGUMENT);
  const watched = refusal((async () => {
    for await (const _event of client.watchRun('no-such-run')) void _event;
  })());
  expect((await watched).code).toBe(status.NOT_FOUND);
});

it('an unreachable data-service fails the run with the reason; the service stays up', async () => {
  const started = await client.startRun(config());
  expect(started.state).toBe(RunState.RUN_STATE_PENDING);
  const ended = await waitForEnd(client, started.id);
  expect(ended.state).toBe(RunState.RUN_STATE_FAILED);
  expect(ended.reason).toContain(`data-service at ${UNREACHABLE}`);
  expect(ended.epochs).toEqual([]);
  // Still serving: the failed run is listed, has no checkpoint, and cannot be stopped any more.
  expect((await client.listRuns()).map((r) => r.id)).toContain(started.id);
  expect((await refusal(client.getCheckpoint(started.id, 0))).code).toBe(status.NOT_FOUND);
  expect((await refusal(client.stopRun(started.id))).code).toBe(status.FAILED_PRECONDITION);
});
