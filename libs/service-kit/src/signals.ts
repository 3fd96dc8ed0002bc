import type { Logger } from 'pino';
import { PARENT_PID_ENV } from './child-spawn';
import { isProcessAlive } from './service-process';

/**
 * For a service's main.ts: on SIGTERM or SIGINT run `shutdown` (which lets in-flight calls finish,
 * then cancels them) and exit 0; a second signal exits at once. A process started by a conjugate
 * launcher (CONJUGATE_PARENT_PID set) also shuts down when that parent is gone, so none is orphaned.
 */
export function shutdownOnSignals(shutdown: () => Promise<void>, logger: Logger, signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): void {
  let received = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    received = true;
    logger.info({ signal }, 'signal received, shutting down');
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
      logger.warn({ parentPid: parent }, 'parent process gone: shutting down');
      onSignal('SIGTERM');
    }, PARENT_POLL_MS);
    watch.unref();
  }
}

const PARENT_POLL_MS = 1000;
