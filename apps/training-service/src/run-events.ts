import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventBus } from '@conjugate/bus';
import type { EmbeddingEvent, EpochEvent, ProgressEvent, RunEvent, RunStatusEvent } from '@conjugate/proto';
import type { Logger } from '@conjugate/service-kit';

/** Progress events waiting for the bus beyond this are dropped (they are ephemeral anyway). */
const MAX_QUEUED_PROGRESS = 100;
/**
 * A stored event (status, epoch, embedding) whose publish fails is tried again for this long: long enough
 * for a supervised NATS server to be restarted. Its message id makes a retry a no-op once it is stored.
 */
export const STORED_RETRY_MS = 120_000;

/**
 * Where a run's events go: this process's WatchRun streams at once, and the bus (NATS or in memory,
 * for every other process) through a queue in publish order that training never waits for — a bus
 * that is down must not stall a run. Nothing that matters is lost: the run record is the truth, a stored
 * event whose publish fails is tried again while the bus comes back (STORED_RETRY_MS), and after a restart
 * the last epoch and its snapshot are published again under their message ids (stored once).
 */
export class RunEvents {
  private readonly local = new EventEmitter();
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;

  constructor(
    private readonly bus: EventBus,
    private readonly logger: Logger,
    private readonly storedRetryMs = STORED_RETRY_MS,
  ) {
    this.local.setMaxListeners(0);
  }

  status(event: RunStatusEvent): void {
    this.emit(event.runId, { event: { $case: 'status', value: event } });
    this.publish('status', event.runId, this.stored(() => this.bus.publishStatus(event)));
  }

  epoch(event: EpochEvent): void {
    this.emit(event.runId, { event: { $case: 'epoch', value: event } });
    this.publish('epoch', event.runId, this.stored(() => this.bus.publishEpoch(event)));
  }

  progress(event: ProgressEvent): void {
    this.emit(event.runId, { event: { $case: 'progress', value: event } });
    if (this.queued < MAX_QUEUED_PROGRESS) this.publish('progress', event.runId, () => this.bus.publishProgress(event));
  }

  embedding(event: EmbeddingEvent): void {
    this.emit(event.runId, { event: { $case: 'embedding', value: event } });
    this.publish('embedding', event.runId, this.stored(() => this.bus.publishEmbedding(event)));
  }

  /** Live events of one run in this process; returns the unsubscribe. */
  listen(runId: string, listener: (event: RunEvent) => void): () => void {
    this.local.on(runId, listener);
    return () => this.local.off(runId, listener);
  }

  /** An epoch published again to the bus only (after a restart: stored once thanks to its message id). */
  republishEpoch(event: EpochEvent): void {
    this.publish('epoch', event.runId, this.stored(() => this.bus.publishEpoch(event)));
  }

  /** An embedding snapshot published again to the bus only, like republishEpoch. */
  republishEmbedding(event: EmbeddingEvent): void {
    this.publish('embedding', event.runId, this.stored(() => this.bus.publishEmbedding(event)));
  }

  /** Resolves when everything queued so far has been handed to the bus (or failed), or after `timeoutMs`. */
  async flush(timeoutMs = 5_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.queue, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  private emit(runId: string, event: RunEvent): void {
    this.local.emit(runId, event);
  }

  /** `send`, tried again with backoff while it fails, for up to storedRetryMs. */
  private stored(send: () => Promise<void>): () => Promise<void> {
    return async () => {
      const giveUpAt = Date.now() + this.storedRetryMs;
      for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 5_000)) {
        try {
          return await send();
        } catch (error) {
          if (Date.now() + delayMs > giveUpAt) throw error;
          await sleep(delayMs);
        }
      }
    };
  }

  private publish(kind: string, runId: string, send: () => Promise<void>): void {
    this.queued += 1;
    this.queue = this.queue
      .then(send)
      .catch((error: unknown) => this.logger.warn({ runId, kind, err: error }, `could not publish the ${kind} event of run ${runId} on the bus`))
      .finally(() => (this.queued -= 1));
  }
}
