import { RunState, type EpochMetrics, type Run } from '@conjugate/proto';
import type { RunEvents } from './run-events';
import type { RunStore } from './run-store';

export const TERMINAL_STATES: ReadonlySet<RunState> = new Set([RunState.RUN_STATE_COMPLETED, RunState.RUN_STATE_FAILED, RunState.RUN_STATE_STOPPED]);

/**
 * One run's record: every change is saved to disk (atomically) before it is announced, so what a
 * subscriber has seen is always recoverable after a crash. Changes are applied one at a time.
 */
export class RunRecord {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private current: Run,
    private readonly store: RunStore,
    private readonly events: RunEvents,
  ) {}

  get run(): Run {
    return this.current;
  }

  get id(): string {
    return this.current.id;
  }

  isTerminal(): boolean {
    return TERMINAL_STATES.has(this.current.state);
  }

  /** Moves to `state` (no-op when already terminal): saves, then announces a status event. */
  setState(state: RunState, reason = ''): Promise<void> {
    return this.serial(async () => {
      if (this.isTerminal()) return;
      const atMs = Date.now();
      this.current = { ...this.current, state, reason, updatedAtMs: atMs };
      await this.store.save(this.current);
      this.events.status({ runId: this.id, state, reason, atMs, config: this.current.config });
    });
  }

  /** Records a finished epoch (once: a replayed epoch number is ignored), then announces it. */
  addEpoch(metrics: EpochMetrics): Promise<void> {
    return this.serial(async () => {
      if (metrics.epoch <= this.current.epochsDone) return;
      this.current = { ...this.current, epochs: [...this.current.epochs, metrics], epochsDone: metrics.epoch, updatedAtMs: Date.now() };
      await this.store.save(this.current);
      this.events.epoch({ runId: this.id, metrics });
    });
  }

  /** Replaces the config (the run's model spec fitted to its dataset). */
  setConfig(config: Run['config']): Promise<void> {
    return this.serial(async () => {
      this.current = { ...this.current, config, updatedAtMs: Date.now() };
      await this.store.save(this.current);
    });
  }

  private serial(change: () => Promise<void>): Promise<void> {
    const next = this.queue.then(change);
    this.queue = next.catch(() => {});
    return next;
  }
}
