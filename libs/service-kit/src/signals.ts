import type { Logger } from 'pino';

/**
 * For a service's main.ts: on SIGTERM or SIGINT run `shutdown` (which lets in-flight calls finish,
 * then cancels them) and exit 0; a second signal exits at once.
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
}
