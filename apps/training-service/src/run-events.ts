import { EventEmitter } from 'node:events';
import type { EventBus } from '@conjugate/bus';
import type { EmbeddingEvent, EpochEvent, ProgressEvent, RunEvent, RunStatusEvent } from '@conjugate/proto';
import type { Logger } from '@conjugate/service-kit';

/**
 * Where a run's events go: the bus (NATS or in memory, for every other process) and this process's
 * WatchRun streams. A bus that is down loses nothing that matters: the run record is the truth, and
 * epoch events carry a message id, so the re-publish after a restart is stored once.
 */
export class RunEvents {
  private readonly local = new EventEmitter();

  constructor(
    private readonly bus: EventBus,
    private readonly logger: Logger,
  ) {
    this.local.setMaxListeners(0);
  }

  async status(event: RunStatusEvent): Promise<void> {
    this.emit(event.runId, { event: { $case: 'status', value: event } });
    await this.publish('status', event.runId, () => this.bus.publishStatus(event));
  }

  async epoch(event: EpochEvent): Promise<void> {
    this.emit(event.runId, { event: { $case: 'epoch', value: event } });
    await this.publish('epoch', event.runId, () => this.bus.publishEpoch(event));
  }

  async progress(event: ProgressEvent): Promise<void> {
    this.emit(event.runId, { event: { $case: 'progress', value: event } });
    await this.publish('progress', event.runId, () => this.bus.publishProgress(event));
  }

  async embedding(event: EmbeddingEvent): Promise<void> {
    this.emit(event.runId, { event: { $case: 'embedding', value: event } });
    await this.publish('embedding', event.runId, () => this.bus.publishEmbedding(event));
  }

  /** Live events of one run in this process; returns the unsubscribe. */
  listen(runId: string, listener: (event: RunEvent) => void): () => void {
    this.local.on(runId, listener);
    return () => this.local.off(runId, listener);
  }

  /** Epoch events republished only to the bus (after a restart: stored once thanks to their message id). */
  async republishEpoch(event: EpochEvent): Promise<void> {
    await this.publish('epoch', event.runId, () => this.bus.publishEpoch(event));
  }

  private emit(runId: string, event: RunEvent): void {
    this.local.emit(runId, event);
  }

  private async publish(kind: string, runId: string, send: () => Promise<void>): Promise<void> {
    try {
      await send();
    } catch (error) {
      this.logger.warn({ runId, kind, err: error }, `could not publish the ${kind} event of run ${runId} on the bus`);
    }
  }
}
