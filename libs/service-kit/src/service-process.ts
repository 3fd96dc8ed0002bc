import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnTiedToParent } from './child-spawn';

// A service app started from its apps/<app>/src/main.ts as its own process, as in production (or a pod),
// so tests talk to the real thing over a socket without importing another app.

const REPO = join(__dirname, '../../..');
/** Output kept once the service is up (the start line is found before), enough for a failure message. */
const LOG_TAIL = 100_000;

export interface ServiceProcess {
  app: string;
  /** host:port it listens on, from its start line. */
  address: string;
  /** Its Prometheus port when METRICS_PORT was set to 0 or a port (the default -1 serves none). */
  metricsPort?: number;
  process: ChildProcess;
  /** What it logged (the tail, once up), for failure messages. */
  log(): string;
  /** SIGTERM (its graceful shutdown), SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts apps/<app>/src/main.ts on a free loopback port and resolves once it logs `<app> listening`.
 * One process (node with tsx's loader, not the tsx CLI, which would put a wrapper process in between):
 * a signal reaches the service itself. `env` overrides the defaults (e.g. METRICS_PORT: '0').
 */
/**
 * How to run apps/<app>/src/main.ts as one process: node with tsx's loader by absolute path (not the tsx
 * CLI, which would put a wrapper process in between), so a signal reaches the service itself and it
 * starts from any working directory. The CLI's `up --processes` and the tests both launch apps this way.
 */
export function appCommand(app: string): { command: string; args: string[]; cwd: string } {
  return { command: process.execPath, args: ['--import', TSX_LOADER, join(REPO, 'apps', app, 'src/main.ts')], cwd: REPO };
}
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;

export function startServiceProcess(app: string, env: Record<string, string> = {}, readyTimeoutMs = 60_000): Promise<ServiceProcess> {
  const { command, args, cwd } = appCommand(app);
  const child = spawnTiedToParent(command, args, {
    cwd,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', METRICS_PORT: '-1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let ready = false;
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    if (ready && output.length > LOG_TAIL) output = output.slice(-LOG_TAIL);
  };
  const stop = async (graceMs = 10_000) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await killAndWait(child, 'SIGTERM');
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${app} not listening after ${readyTimeoutMs} ms:\n${output}`)), readyTimeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onExit = (code: number | null) => fail(new Error(`${app} exited with ${code} before listening:\n${output}`));
    const onStdout = (chunk: Buffer) => {
      append(chunk);
      // pino logs one JSON object per line; the start line carries the bound address and metrics port.
      const line = output.split('\n').find((l) => l.includes(`${app} listening`));
      if (!line) return;
      ready = true;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout!.off('data', onStdout).on('data', append);
      const { address, metricsPort } = JSON.parse(line) as { address: string; metricsPort?: number };
      resolve({ app, address, metricsPort, process: child, log: () => output, stop });
    };
    child.stdout!.on('data', onStdout);
    child.stderr!.on('data', append);
    child.on('exit', onExit);
  });
}

/** Sends `signal` and waits until the process has exited. */
export function killAndWait(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Whether a process with this pid still runs. A zombie (exited, not yet reaped — e.g. reparented to a
 * PID 1 that does not reap) counts as gone: it holds no port, lock or memory. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; comm may contain spaces and parentheses, so split at the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false; // no /proc (not Linux): kill(pid, 0) is all we know
  }
}
