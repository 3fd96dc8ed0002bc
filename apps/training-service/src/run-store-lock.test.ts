import { join, resolve } from 'node:path';
import { killAndWait, startServiceProcess } from '@conjugate/service-kit';
import { tempDir } from './test-support';
import { RUN_STORE_LOCK } from './training-service';

it('a second training-service on the same run store refuses to start, naming the one that holds it; once that one is SIGKILLed, the next takes over', async () => {
  const runsDir = await tempDir('conjugate-store-lock-');
  const env = { RUNS_DIR: runsDir.path };
  const first = await startServiceProcess('training-service', env);
  let third: Awaited<ReturnType<typeof startServiceProcess>> | undefined;
  try {
    const second = await startServiceProcess('training-service', env).catch((error: Error) => error);
    expect(second).toBeInstanceOf(Error);
    expect((second as Error).message).toContain('training-service exited with 1 before listening');
    expect((second as Error).message).toContain(
      `the run store ${resolve(runsDir.path)} is in use by process ${first.process.pid} (lock ${join(runsDir.path, RUN_STORE_LOCK)}): another training-service uses it — stop that one, or give this one its own RUNS_DIR`);

    await killAndWait(first.process, 'SIGKILL'); // no chance to release its lock
    third = await startServiceProcess('training-service', env);
    expect(third.address).toMatch(/^127\.0\.0\.1:\d+$/);
  } finally {
    await killAndWait(first.process, 'SIGKILL');
    await third?.stop();
    await runsDir.remove();
  }
});
