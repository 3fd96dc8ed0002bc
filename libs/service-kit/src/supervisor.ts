import type { ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { spawnTiedToParent } from './child-spawn';

export interface SupervisedSpec {
  /** Name used in every message, e.g. "training-service". */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** host:port the child listens on; it is ready when this accepts TCP, and restarts reuse it. */
  address: string;
}

export interface SupervisorOptions {
  /** Delay before the first restart; doubles with each crash in a row (default 500 ms). */
  firstDelayMs?: number;
  /** Longest delay between restarts (default 10 s). */
  maxDelayMs?: number;
  /** A child that stayed up this long counts as healthy again: the delay starts over (default 30 s). */
  healthyAfterMs?: number;
  /** This many crashes in a row and the service is reported down (it is still retried; default 5). */
  downAfterCrashes?: number;
  /** How long the first start may take (default 120 s). */
  readyTimeoutMs?: number;
  /** Each line of the child's output (stdout and stderr). */
  onOutput?: (line: string) => void;
  /** What the supervisor did: exits, restarts, the service being down. */
  onEvent?: (event: SupervisorEvent) => void;
}

export type SupervisorEvent =
  | { type: 'exited'; name: string; pid: number; code: number | null; signal: NodeJS.Signals | null; restartInMs: number; crashesInARow: number; message: string }
  | { type: 'restarted'; name: string; pid: number; restarts: number; downMs: number; message: string }
  | { type: 'down'; name: string; crashesInARow: number; message: string };

export interface SupervisedState {
  name: string;
  state: 'starting' | 'up' | 'restarting' | 'down' | 'stopped';
  pid?: number;
  restarts: number;
  lastExit?: string;
}

export interface Supervised {
  readonly name: string;
  /** The pid of the current child (changes with each restart). */
  pid(): number | undefined;
  state(): SupervisedState;
  /** Resolves when the child is ready again (at once when it is up). */
  ready(): Promise<void>;
  /** Stops supervising: SIGTERM (graceful), SIGKILL after `graceMs`; resolves once the child exited. */
  stop(graceMs?: number): Promise<void>;
}

const describeExit = (code: number | null, signal: NodeJS.Signals | null) => (signal ? `signal ${signal}` : `exit code ${code}`);

/**
 * Starts a child and keeps it running: an exit it was not asked for is logged with its exit code or
 * signal and followed by a restart with the same command, env and port, after an exponential backoff.
 * Resolves once the first start is ready; rejects (and kills it) if it never gets ready.
 */
export async function supervise(spec: SupervisedSpec, options: SupervisorOptions = {}): Promise<Supervised> {
  const firstDelay = options.firstDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const healthyAfter = options.healthyAfterMs ?? 30_000;
  const downAfter = options.downAfterCrashes ?? 5;
  const emit = (event: SupervisorEvent) => options.onEvent?.(event);
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;
  let crashesInARow = 0;
  let startedAt = 0;
  let downSince = 0;
  let state: SupervisedState['state'] = 'starting';
  let lastExit: string | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let waiters: Array<() => void> = [];

  const launch = () => {
    const spawned = spawnTiedToParent(spec.command, spec.args, { env: spec.env, cwd: spec.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child = spawned;
    startedAt = Date.now();
    for (const stream of [spawned.stdout, spawned.stderr]) {
      let partial = '';
      stream?.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line) options.onOutput?.(line);
      });
    }
    spawned.once('error', () => undefined); // an exec failure also ends in 'exit'
    spawned.once('exit', (code, signal) => onExit(spawned, code, signal));
    return spawned;
  };

  const onExit = (exited: ChildProcess, code: number | null, signal: NodeJS.Signals | null) => {
    if (stopping || exited !== child) return;
    lastExit = describeExit(code, signal);
    crashesInARow = Date.now() - startedAt >= healthyAfter ? 1 : crashesInARow + 1;
    const delay = Math.min(maxDelay, firstDelay * 2 ** (crashesInARow - 1));
    if (state === 'up') downSince = Date.now();
    state = crashesInARow >= downAfter ? 'down' : 'restarting';
    emit({ type: 'exited', name: spec.name, pid: exited.pid ?? -1, code, signal, restartInMs: delay, crashesInARow,
      message: `${spec.name} (pid ${exited.pid}) exited unexpectedly (${lastExit}); restarting in ${(delay / 1000).toFixed(1)} s on ${spec.address}` });
    if (crashesInARow === downAfter) {
      emit({ type: 'down', name: spec.name, crashesInARow, message: `${spec.name} is DOWN: it crashed ${crashesInARow} times in a row (last: ${lastExit}); still retrying every ${(maxDelay / 1000).toFixed(0)} s at most` });
    }
    restartTimer = setTimeout(() => void restart(), delay);
  };

  const restart = async () => {
    if (stopping) return;
    const spawned = launch();
    const ok = await waitUntilListening(spec.address, () => spawned.exitCode !== null || spawned.signalCode !== null || stopping, options.readyTimeoutMs ?? 120_000);
    if (!ok || stopping || spawned !== child) return; // its exit handler schedules the next try
    restarts++;
    state = 'up';
    emit({ type: 'restarted', name: spec.name, pid: spawned.pid ?? -1, restarts, downMs: Date.now() - downSince,
      message: `${spec.name} restarted (pid ${spawned.pid}, restart #${restarts}, down for ${((Date.now() - downSince) / 1000).toFixed(1)} s)` });
    for (const wake of waiters) wake();
    waiters = [];
  };

  const stop = async (graceMs = 15_000) => {
    stopping = true;
    state = 'stopped';
    clearTimeout(restartTimer);
    for (const wake of waiters) wake();
    waiters = [];
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    await new Promise<void>((done) => {
      const timer = setTimeout(() => current.kill('SIGKILL'), graceMs);
      current.once('exit', () => { clearTimeout(timer); done(); });
      current.kill('SIGTERM');
    });
  };

  const first = launch();
  const ready = await waitUntilListening(spec.address, () => first.exitCode !== null || first.signalCode !== null, options.readyTimeoutMs ?? 120_000);
  if (!ready || first !== child) {
    stopping = true;
    first.kill('SIGKILL');
    throw new Error(`${spec.name} did not start: ${first.exitCode !== null || first.signalCode !== null ? `it exited (${describeExit(first.exitCode, first.signalCode)})` : `nothing listens on ${spec.address}`}`);
  }
  state = 'up';
  return {
    name: spec.name,
    pid: () => child?.pid,
    state: () => ({ name: spec.name, state, pid: child?.pid, restarts, lastExit }),
    ready: () => (state === 'up' || state === 'stopped' ? Promise.resolve() : new Promise((wake) => waiters.push(wake))),
    stop,
  };
}

/** Polls host:port until it accepts a TCP connection (true), `gaveUp()` says stop, or the timeout passes (false). */
async function waitUntilListening(address: string, gaveUp: () => boolean, timeoutMs: number): Promise<boolean> {
  const colon = address.lastIndexOf(':');
  const [host, port] = [address.slice(0, colon), Number(address.slice(colon + 1))];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gaveUp()) return false;
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host, port }, () => { socket.end(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (open) return !gaveUp();
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
