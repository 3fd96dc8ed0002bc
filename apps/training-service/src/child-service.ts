import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface ChildService {
  address: string;
  process: ChildProcess;
  /** Everything it logged, for failure messages. */
  log(): string;
}

const REPO = join(__dirname, '../../..');

/**
 * Starts apps/<app>/src/main.ts as its own process, as in production, and waits until it listens.
 * One process (node with tsx's loader, not the tsx CLI, which would put a wrapper process in between):
 * a SIGKILL kills the service itself.
 */
export function spawnService(app: 'training-service' | 'data-service', env: Record<string, string>, readyTimeoutMs = 60_000): Promise<ChildService> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'apps', app, 'src/main.ts')], {
    cwd: REPO,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', METRICS_PORT: '-1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${app} not listening after ${readyTimeoutMs} ms:\n${output}`)), readyTimeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // pino logs one JSON object per line; the start line carries the bound address.
      const line = output.split('\n').find((l) => l.includes(`${app} listening`));
      if (!line) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve({ address: (JSON.parse(line) as { address: string }).address, process: child, log: () => output });
    };
    const onExit = (code: number | null) => fail(new Error(`${app} exited with ${code} before listening:\n${output}`));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', onExit);
  });
}

/** Sends `signal` and waits until the process has exited. */
export function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Whether a process with this pid still exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
