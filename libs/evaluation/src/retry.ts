import { backOff } from 'exponential-backoff';

export interface RetryOptions {
  /** Tries in all at most (default: as many as fit in `deadlineMs`). */
  attempts?: number;
  /** Delay before the first retry; doubles each time up to 5 s (default 500 ms). */
  firstDelayMs?: number;
  /**
   * No retry starts later than this after the first try (default 60 s): long enough for a supervised
   * service that crashed to be restarted (`up --processes`, a Kubernetes pod), short enough that a
   * service that stays down costs an epoch one minute per measurement, not the run.
   */
  deadlineMs?: number;
}

export type Measured<T> = { ok: true; value: T } | { ok: false; reason: string };

// gRPC status codes that say "the request was fine, try again": UNKNOWN, DEADLINE_EXCEEDED,
// RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE. Anything else (e.g. INVALID_ARGUMENT) will not get better.
const TRANSIENT_CODES = new Set([2, 4, 8, 10, 13, 14]);

export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code !== 'number' || TRANSIENT_CODES.has(code);
}

/** "attack-service: UNAVAILABLE: No connection established" from whatever was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Runs one measurement, retrying transient failures with exponential backoff. It never throws: a
 * measurement that still fails comes back as `{ ok: false, reason }` so the run goes on without it.
 */
export async function measureWithRetry<T>(what: string, measure: () => Promise<T>, options: RetryOptions = {}): Promise<Measured<T>> {
  let tries = 0;
  const giveUpAt = Date.now() + (options.deadlineMs ?? 60_000);
  try {
    const value = await backOff(() => { tries++; return measure(); }, {
      numOfAttempts: options.attempts ?? Number.MAX_SAFE_INTEGER,
      startingDelay: options.firstDelayMs ?? 500,
      maxDelay: 5000,
      timeMultiple: 2,
      jitter: 'full',
      retry: (error) => isTransient(error) && Date.now() < giveUpAt,
    });
    return { ok: true, value };
  } catch (error) {
    return { ok: false, reason: `${what} failed after ${tries} ${tries === 1 ? 'try' : 'tries'}: ${describeError(error)}` };
  }
}
