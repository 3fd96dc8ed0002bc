import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RunConfig, RunEvent } from '@conjugate/proto';
import { killAndWait, type ServiceProcess, startServiceProcess } from '@conjugate/service-kit';
import { connect } from './rpc';
import { freePort } from './stack/ports';

const BIN = join(__dirname, '..', 'bin', 'conjugate.cjs');
const config = RunConfig.fromPartial({ name: 'watched through a crash', dataset: 'mnist', model: { architecture: 'tiny' }, epochs: 2, batchSize: 8, seed: 5, trainLimit: 4096, evaluation: { testLimit: 200 } });

it('`watch` rides out a SIGKILLed training-service: it reconnects to the restarted one and prints every epoch once, exit 0', async () => {
  const runsDir = await mkdtemp(join(tmpdir(), 'conjugate-watch-'));
  const cleanups: Array<() => Promise<unknown> | void> = [() => rm(runsDir, { recursive: true, force: true })];
  try {
    const data = await startServiceProcess('data-service');
    cleanups.unshift(() => data.stop());
    const port = await freePort();
    const env = { DATA_SERVICE_ADDRESS: data.address, RUNS_DIR: runsDir, PORT: String(port) };
    let training: ServiceProcess = await startServiceProcess('training-service', env);
    cleanups.unshift(() => training.stop());
    const rpc = await connect('training', training.address);
    const run = await rpc.call(rpc.client.startRun, { config });
    rpc.close();

    const watch = spawn(process.execPath, [BIN, 'watch', run.id, '--json', '--training', training.address], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CONJUGATE_HOME: runsDir } });
    cleanups.unshift(() => killAndWait(watch, 'SIGKILL'));
    let stderr = '';
    watch.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => watch.once('exit', resolve));
    const epochs: number[] = [];
    let killed = false;
    for await (const line of createInterface({ input: watch.stdout! })) {
      const event = RunEvent.fromJSON(JSON.parse(line)).event;
      if (event?.$case === 'epoch') epochs.push(event.value.metrics!.epoch);
      if (!killed) {
        // watch is connected (its first line is the run's status; the run has two epochs of training ahead,
        // longer than a CLI takes to start on a loaded machine): kill the service, start it again on the same port.
        killed = true;
        await killAndWait(training.process, 'SIGKILL');
        training = await startServiceProcess('training-service', env);
      }
    }
    expect({ code: await exited, stderr }).toEqual({ code: 0, stderr: expect.stringContaining('reconnecting') });
    expect(epochs).toEqual([0, 1, 2]);
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
});
