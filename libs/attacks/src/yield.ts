import { setImmediate } from 'node:timers/promises';

/** Lets pending I/O (health checks, cancellations, other calls) run between steps of long work. */
export function yieldToEventLoop(): Promise<void> {
  return setImmediate();
}
