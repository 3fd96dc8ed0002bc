import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface ChildService {
  address: string;
  process: ChildProcess;
  /** Everything it logged, for failure messages. */
  log(): string;
}

const MAIN = join(__dirname, 'main.ts');
const TSX = require.resolve('tsx/cli');

/** Starts src/main.ts as its own process (as in production) and waits until it listens. */
export function spawnTrainingService(env: Record<string, string>, readyTimeoutMs = 60_000): Promise<ChildService> {
  const child = spawn(process.execPath, [TSX, MAIN], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', METRICS_PORT: '-1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`training-service not listening after ${readyTimeoutMs} ms:\n${output}`)), readyTimeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // pino logs one JSON object per line; the start line carries the bound address.
      for (const line of output.split('\n')) {
        if (!line.includes('training-service listening')) continue;
        const { address } = JSON.parse(line) as { address: string };
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve({ address, process: child, log: () => output });
        return;
      }
    };
    const onExit = (code: number | null) => fail(new Error(`training-service exited with ${code} before listening:\n${output}`));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', onExit);
  });
}

export function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
