import { createServer } from 'node:net';
import { connectTrainingService } from '@conjugate/clients';
import { RunConfig, RunState } from '@conjugate/proto';
import { createLogger, type ServiceProcess, startServiceProcess } from '@conjugate/service-kit';
import { tempDir, waitForEnd } from './test-support';
import { startTrainingService } from './training-service';

const freePort = () => new Promise<number>((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  });
});

it('a run whose data-service is down (a stack restarting) waits for it instead of failing, and completes once it is up', async () => {
  const port = await freePort();
  const runsDir = await tempDir('conjugate-data-late-');
  const service = await startTrainingService({ port: 0, host: '127.0.0.1', reflection: false, dataServiceAddress: `127.0.0.1:${port}`, runsDir: runsDir.path, logger: createLogger('training-test', { level: 'silent' }) });
  const client = connectTrainingService(service.address);
  let data: ServiceProcess | undefined;
  try {
    const config = RunConfig.fromPartial({ name: 'late data', dataset: 'mnist', model: { architecture: 'tiny' }, epochs: 1, batchSize: 16, trainLimit: 64, evaluation: { testLimit: 32 } });
    const { id } = await client.startRun(config);
    // Training began (and is waiting for the data-service) before the data-service exists.
    for (let i = 0; i < 600 && (await client.getRun(id)).state !== RunState.RUN_STATE_RUNNING; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await client.getRun(id)).state).toBe(RunState.RUN_STATE_RUNNING);
    data = await startServiceProcess('data-service', { PORT: String(port) });
    const run = await waitForEnd(client, id);
    expect([run.state, run.reason, run.epochs.map((e) => e.epoch)]).toEqual([RunState.RUN_STATE_COMPLETED, '', [0, 1]]);
  } finally {
    client.close();
    await service.shutdown();
    await data?.stop();
    await runsDir.remove();
  }
});
