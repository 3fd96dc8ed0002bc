import { credentials, type ServiceError } from '@grpc/grpc-js';
import { DataServiceClient, type DatasetInfo } from '@conjugate/proto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Processes whose command line contains `marker`. */
const running = (marker: string) => readdirSync('/proc').filter((name) => /^\d+$/.test(name)).filter((pid) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return false;
  }
});

it('on SIGTERM finishes the in-flight call, then exits 0', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'tinyServiceMain.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [firstLine] = (await once(child.stdout, 'data')) as [Buffer];
  const address = firstLine.toString().trim();
  const client = new DataServiceClient(address, credentials.createInsecure());
  // Connect first, so the slow call below is surely in its handler when the signal arrives.
  await new Promise((resolve, reject) => client.listDatasets({}, (error: ServiceError | null) => (error ? reject(error) : resolve(null))));
  const inFlight = new Promise<DatasetInfo>((resolve, reject) =>
    client.describeDataset({ name: 'x' }, (error: ServiceError | null, info: DatasetInfo) => (error ? reject(error) : resolve(info))),
  );
  await new Promise((resolve) => setTimeout(resolve, 200)); // the call is in the handler's 500 ms sleep
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  expect((await inFlight).name).toBe('finished after SIGTERM');
  const [code] = await exited;
  expect(code).toBe(0);
  client.close();
  // The watchdog armed at the signal dies with it (bounded wait: the parent-death signal takes a moment).
  const marker = `conjugate shutdown watchdog of ${child.pid} `;
  for (let i = 0; i < 200 && running(marker).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  expect(running(marker)).toEqual([]);
});

it('a shutdown stuck for good (its main thread blocked) is ended with SIGKILL after hardExitAfterMs, and its watchdog goes with it', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'stuckShutdownMain.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, HARD_EXIT_AFTER_MS: '300' },
  });
  try {
    await once(child.stdout, 'data'); // ready
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code, signal] = await exited;
    expect([code, signal]).toEqual([null, 'SIGKILL']);
    // The watchdog, its job done, is gone too (bounded wait: the parent-death signal takes a moment).
    const marker = `conjugate shutdown watchdog of ${child.pid} `;
    for (let i = 0; i < 200 && running(marker).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(running(marker)).toEqual([]);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
