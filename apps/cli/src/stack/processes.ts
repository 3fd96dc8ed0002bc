import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { conjugateHome, type StackAddresses } from '../addresses';
import { chooseBus } from './bus-choice';
import type { RunningStack } from './embedded';
import { freePort, waitForPort } from './ports';

const APPS = resolve(__dirname, '../../..');
// tsx's CommonJS hook by absolute path, so a service starts from any working directory.
const TSX_CJS = require.resolve('tsx/cjs');

/** Starts one app's src/main.ts under tsx as its own process; its output is prefixed with its name. */
function spawnService(name: string, env: Record<string, string>): { child: ChildProcess; exited: () => string | undefined } {
  const child = spawn(process.execPath, ['--require', TSX_CJS, join(APPS, name, 'src', 'main.ts')], {
    env: { ...process.env, HOST: '127.0.0.1', METRICS_PORT: '-1', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exit: string | undefined;
  const prefix = (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).map((line) => `[${name}] ${line}\n`).join('');
  child.stdout?.on('data', (chunk: Buffer) => process.stderr.write(prefix(chunk)));
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(prefix(chunk)));
  child.on('exit', (code, signal) => { exit = `${name} exited (${signal ?? `code ${code}`}) before it was ready`; });
  return { child, exited: () => exit };
}

/** Stops a child with SIGTERM (its graceful shutdown), SIGKILL after `graceMs`. */
function terminate(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => { clearTimeout(timer); done(); });
    child.kill('SIGTERM');
  });
}

/** Each service its own process, talking over loopback gRPC and a real NATS (ours unless NATS_URL is set). */
export async function startProcessStack(dashboardPort: number, uncertaintyReplicas = 1): Promise<RunningStack> {
  const [data, training, attack] = await Promise.all([freePort(), freePort(), freePort()]);
  // Several uncertainty replicas: the evaluator shards each packet estimate over them and merges.
  const replicas = await Promise.all(Array.from({ length: Math.max(1, uncertaintyReplicas) }, () => freePort()));
  const dashboard = dashboardPort || (await freePort());
  const at = (port: number) => `127.0.0.1:${port}`;
  const children: ChildProcess[] = [];
  const chosen = await chooseBus(true);
  const stop = async () => {
    await Promise.all(children.map((child) => terminate(child)));
    await chosen.close();
  };
  try {
    const nats = chosen.natsUrl!;
    const wiring = { DATA_SERVICE_ADDRESS: at(data), TRAINING_SERVICE_ADDRESS: at(training) };
    const plan: Array<[string, number, Record<string, string>]> = [
      ['data-service', data, {}],
      ['attack-service', attack, wiring],
      ...replicas.map((port): [string, number, Record<string, string>] => ['uncertainty-service', port, wiring]),
      ['training-service', training, {
        DATA_SERVICE_ADDRESS: at(data), NATS_URL: nats, RUNS_DIR: join(conjugateHome(), 'runs'),
        ATTACK_SERVICE_ADDRESS: at(attack), UNCERTAINTY_SERVICE_ADDRESSES: replicas.map(at).join(','),
      }],
      ['dashboard', dashboard, { NATS_URL: nats, TRAINING_SERVICE_ADDRESS: at(training) }],
    ];
    const started = plan.map(([name, port, env]) => {
      const service = spawnService(name, { ...env, PORT: String(port) });
      children.push(service.child);
      return { name, port, service };
    });
    await Promise.all(started.map(({ port, service }) => waitForPort(at(port), 120_000, service.exited)));
    const addresses: StackAddresses = {
      data: at(data), training: at(training), attack: at(attack), uncertainty: replicas.map(at).join(','),
      dashboard: `http://127.0.0.1:${dashboard}/`, nats, pid: process.pid,
    };
    return { addresses, busDescription: chosen.describe, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
