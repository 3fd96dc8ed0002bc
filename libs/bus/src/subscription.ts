// A subscription both buses share: set up eagerly (so `ready` says when live delivery is established),
// buffered in an EventEmitter-backed async iterator, torn down on close(), abort, `break` or bus close.
import { EventEmitter, on } from 'node:events';
import type { BusMessage } from './event-bus';

export interface Subscription extends AsyncIterable<BusMessage> {
  /** Resolves once delivery is established: history is queued and later publishes will arrive.
   *  Rejects (and the iteration throws) when the subscription cannot be set up. */
  ready: Promise<void>;
  /** Ends the iteration and frees its resources. */
  close(): void;
}

export interface Sink {
  push(message: BusMessage): void;
  fail(error: Error): void;
}

/** `start` wires a source to the sink and returns its teardown. */
export function openSubscription(
  signal: AbortSignal | undefined,
  start: (sink: Sink) => Promise<() => unknown>,
): Subscription {
  const inbox = new EventEmitter();
  const stopped = new AbortController();
  const incoming = on(inbox, 'message', { signal: stopped.signal }) as AsyncIterator<[BusMessage]>;
  let teardown: (() => unknown) | undefined;
  const close = () => {
    if (stopped.signal.aborted) return;
    stopped.abort();
    signal?.removeEventListener('abort', close);
    void Promise.resolve(teardown?.()).catch(() => undefined);
  };
  signal?.addEventListener('abort', close);
  if (signal?.aborted) close();

  const sink: Sink = {
    push: (message) => inbox.emit('message', message),
    fail: (error) => inbox.emit('error', error),
  };
  const ready = stopped.signal.aborted
    ? Promise.resolve()
    : start(sink).then((stopSource) => {
        teardown = stopSource;
        if (stopped.signal.aborted) void Promise.resolve(stopSource()).catch(() => undefined);
      });
  ready.catch((error: Error) => sink.fail(error));

  async function* iterate(): AsyncGenerator<BusMessage> {
    try {
      for (;;) {
        const next = await incoming.next();
        if (next.done) return;
        yield next.value[0];
      }
    } catch (error) {
      if (!stopped.signal.aborted) throw error;
    } finally {
      close();
    }
  }
  return { ready, close, [Symbol.asyncIterator]: iterate };
}
