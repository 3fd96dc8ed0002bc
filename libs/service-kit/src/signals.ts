import { spawn } from 'node:child_process';
import type { Logger } from 'pino';
import { canTieToParent, PARENT_PID_ENV, SETPRIV } from './child-spawn';
import { isProcessAlive } from './service-process';

export interface ShutdownOptions {
  signals?: NodeJS.Signals[];
  /**
   * A shutdown still running after this long ends with SIGKILL (default 30 s, Kubernetes' default grace),
   * sent by a watchdog process, since a main thread stuck in a synchronous wait runs no timer of its own.
   */
  hardExitAfterMs?: number;
}

/**
 * A separate process that SIGKILLs this one after `ms` — and dies with it (parent-death signal) when this
 * one exits first, so it never outlives it or hits a reused pid. Where that signal is not available, a timer.
 */
function armWatchdog(ms: number): void {
  if (!canTieToParent) {
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), ms).unref();
    return;
  }
  const code = `/* conjugate shutdown watchdog of ${process.pid} */ setTimeout(() => { try { process.kill(${process.pid}, 'SIGKILL'); } catch {} }, ${Math.round(ms)});`;
  spawn(SETPRIV, ['--pdeathsig', 'SIGKILL', process.execPath, '-e', code], { stdio: 'ignore' }).unref();
}

/**
 * For a service's main.ts: on SIGTERM or SIGINT run `shutdown` (which lets in-flight calls finish,
 * then cancels them) and exit 0; a second signal exits at once, and a shutdown that takes longer than
 * `hardExitAfterMs` is ended with SIGKILL. A process started by a conjugate launcher (CONJUGATE_PARENT_PID
 * set) also shuts down when that parent is gone, so none is orphaned.
 */
export function shutdownOnSignals(shutdown: () => Promise<void>, logger: Logger, options: ShutdownOptions = {}): void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let received = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    received = true;
    logger.info({ signal }, 'signal received, shutting down');
    // Seen under `node --import tsx`: a process whose shutdown began as its parent died stayed blocked in a
    // synchronous wait for good, an orphan. Whatever blocks it, the watchdog ends it.
    armWatchdog(options.hardExitAfterMs ?? 30_000);
    shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  const parent = Number(process.env[PARENT_PID_ENV]);
  if (Number.isInteger(parent) && parent > 0) {
    const watch = setInterval(() => {
      if (isProcessAlive(parent)) return;
      clearInterval(watch);
      // Already shutting down (the parent-death signal came first): nothing to add, and nothing to log —
      // our stdout went with the parent, and pino's exit flush retries a write that fails with EPIPE
      // forever (sonic-boom 4), which only the watchdog ends.
      if (received) return;
      logger.warn({ parentPid: parent }, 'parent process gone: shutting down');
      onSignal('SIGTERM');
    }, PARENT_POLL_MS);
    watch.unref();
  }
}

const PARENT_POLL_MS = 1000;
