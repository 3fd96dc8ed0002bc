import { spawn, type ChildProcess } from 'node:child_process';

// Test support: another service started from its src/main.ts as its own process (as in production),
// so this service's tests talk to the real thing over a socket without importing another app.

export interface ChildService {
  address: string;
  process: ChildProcess;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
}

const TSX = require.resolve('tsx/cli');

/** Runs `main` on a free loopback port; resolves once it logs `<name> listening` (with its address). */
export function spawnService(name: string, main: string, env: Record<string, string> = {}, readyTimeoutMs = 60_000): Promise<ChildService> {
  const child = spawn(process.execPath, [TSX, main], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', METRICS_PORT: '-1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`${name} not listening after ${readyTimeoutMs} ms:\n${output}`)), readyTimeoutMs);
    const onExit = (code: number | null) => fail(new Error(`${name} exited with ${code} before listening:\n${output}`));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      // pino logs one JSON object per line; the start line carries the bound address.
      const line = output.split('\n').find((l) => l.includes(`${name} listening`));
      if (!line) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      resolve({ address: (JSON.parse(line) as { address: string }).address, process: child, stop });
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', onExit);
  });
}
