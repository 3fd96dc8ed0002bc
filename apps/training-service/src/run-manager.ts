import { randomUUID } from 'node:crypto';
import { RunState, type Run, type RunConfig, type RunEvent } from '@conjugate/proto';
import { failedPrecondition, invalidArgument, notFound, type Logger } from '@conjugate/service-kit';
import { executeRun, type ExecutorDeps } from './run-executor';
import { RunRecord, TERMINAL_STATES } from './run-record';

/** Why a run's signal was aborted: a StopRun (the run ends STOPPED) or a shutdown (it resumes at the next start). */
class StopRequested extends Error {
  override readonly name = 'StopRequested';
}
class ShuttingDown extends Error {
  override readonly name = 'ShuttingDown';
}

export interface RunManagerOptions extends ExecutorDeps {
  /** Runs trained at the same time; the others wait PENDING in start order. Default 1. */
  maxConcurrentRuns: number;
}

/**
 * The run registry: creates runs, queues and executes them in the background, stops them, and on
 * start-up picks up the runs a previous process left RUNNING or PENDING (from their last checkpoint).
 */
export class RunManager {
  private readonly records = new Map<string, RunRecord>();
  private readonly active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly queue: string[] = [];
  private closed = false;
  // Nothing trains before begin(): the server must answer (GetCheckpoint for the evaluator) first.
  private begun = false;

  constructor(private readonly options: RunManagerOptions) {}

  private get logger(): Logger {
    return this.options.logger;
  }

  /** Loads the stored runs and queues the unfinished ones (they train once begin() is called). */
  async recover(): Promise<void> {
    const runs = await this.options.store.list((runId, error) => this.logger.error({ runId, err: error }, `skipping unreadable run record ${runId}`));
    runs.sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id));
    for (const run of runs) {
      const record = new RunRecord(run, this.options.store, this.options.events);
      this.records.set(run.id, record);
      if (record.isTerminal()) continue;
      // The last epoch (and its snapshot) may have been recorded but not published before the crash: their
      // message ids make this a no-op otherwise.
      const last = run.epochs.at(-1);
      if (last?.hasEmbedding) {
        const snapshot = (await this.options.store.loadSnapshots(run.id)).find((s) => s.epoch === last.epoch);
        if (snapshot) this.options.events.republishEmbedding({ runId: run.id, snapshot });
      }
      if (last) this.options.events.republishEpoch({ runId: run.id, metrics: last });
      this.logger.info({ runId: run.id, epochsDone: run.epochsDone, state: RunState[run.state] }, `resuming run ${run.id} after epoch ${run.epochsDone}`);
      this.queue.push(run.id);
    }
    // Runs that were training go first.
    this.queue.sort((a, b) => Number(this.records.get(b)!.run.state === RunState.RUN_STATE_RUNNING) - Number(this.records.get(a)!.run.state === RunState.RUN_STATE_RUNNING));
  }

  /** Starts training queued runs. */
  begin(): void {
    this.begun = true;
    this.pump();
  }

  /** Creates a PENDING run for a validated config and queues it. */
  async start(config: RunConfig): Promise<Run> {
    if (this.closed) throw failedPrecondition('the training-service is shutting down');
    const now = Date.now();
    const run: Run = { id: randomUUID(), config, state: RunState.RUN_STATE_PENDING, reason: '', createdAtMs: now, updatedAtMs: now, epochsDone: -1, epochs: [] };
    const record = new RunRecord(run, this.options.store, this.options.events);
    await this.options.store.save(run);
    this.records.set(run.id, record);
    this.options.events.status({ runId: run.id, state: run.state, reason: '', atMs: now, config });
    this.queue.push(run.id);
    this.pump();
    return record.run;
  }

  get(runId: string): Run {
    return this.record(runId).run;
  }

  list(): Run[] {
    return [...this.records.values()].map((r) => r.run).sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id));
  }

  /** Stops a pending or running run (STOPPED); FAILED_PRECONDITION when it has already ended. */
  async stop(runId: string): Promise<Run> {
    const record = this.record(runId);
    if (record.isTerminal()) throw failedPrecondition(`run ${runId} has already ended (${RunState[record.run.state]})`);
    const queued = this.queue.indexOf(runId);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      await record.setState(RunState.RUN_STATE_STOPPED, 'stopped by request before it started');
      return record.run;
    }
    const active = this.active.get(runId);
    if (active) {
      active.controller.abort(new StopRequested('stopped by request'));
      await active.done;
    }
    return record.run;
  }

  /**
   * The run's history (its status, then every recorded epoch with its embedding snapshot), then its live
   * events until it ends.
   * Nothing is sent twice: live epochs already in the history are skipped.
   */
  async *watch(runId: string, signal: AbortSignal): AsyncGenerator<RunEvent> {
    const record = this.record(runId);
    const pending: RunEvent[] = [];
    let wake: (() => void) | undefined;
    const unlisten = this.options.events.listen(runId, (event) => {
      pending.push(event);
      wake?.();
    });
    const onAbort = () => wake?.();
    signal.addEventListener('abort', onAbort);
    try {
      const history = record.run;
      const snapshots = new Map((await this.options.store.loadSnapshots(runId)).map((s) => [s.epoch, s]));
      yield { event: { $case: 'status', value: { runId, state: history.state, reason: history.reason, atMs: history.updatedAtMs, config: history.config } } };
      for (const metrics of history.epochs) {
        // As live: an epoch's embedding snapshot comes just before its metrics.
        const snapshot = snapshots.get(metrics.epoch);
        if (snapshot) yield { event: { $case: 'embedding', value: { runId, snapshot } } };
        yield { event: { $case: 'epoch', value: { runId, metrics } } };
      }
      let lastEpoch = history.epochsDone;
      // Decide by what was sent, not by the record now: events after the history are still queued.
      if (TERMINAL_STATES.has(history.state)) return;
      for (;;) {
        while (pending.length > 0) {
          const event = pending.shift()!;
          if (event.event?.$case === 'epoch') {
            if (event.event.value.metrics!.epoch <= lastEpoch) continue;
            lastEpoch = event.event.value.metrics!.epoch;
          }
          // A snapshot is stored before its epoch is recorded: one of a recorded epoch was in the history.
          if (event.event?.$case === 'embedding' && event.event.value.snapshot!.epoch <= lastEpoch) continue;
          yield event;
          if (event.event?.$case === 'status' && TERMINAL_STATES.has(event.event.value.state)) return;
        }
        if (signal.aborted) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      unlisten();
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Stops executing without changing any run's state (they resume at the next start). */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    const running = [...this.active.values()];
    for (const { controller } of running) controller.abort(new ShuttingDown('the training-service is shutting down'));
    await Promise.all(running.map((r) => r.done));
    await this.options.events.flush();
  }

  private record(runId: string): RunRecord {
    if (!runId) throw invalidArgument('run_id: required');
    const record = this.records.get(runId);
    if (!record) throw notFound(`run_id: no run "${runId}"`);
    return record;
  }

  private pump(): void {
    while (this.begun && !this.closed && this.active.size < this.options.maxConcurrentRuns && this.queue.length > 0) {
      const runId = this.queue.shift()!;
      const controller = new AbortController();
      const done = this.execute(this.records.get(runId)!, controller.signal).finally(() => {
        this.active.delete(runId);
        this.pump();
      });
      this.active.set(runId, { controller, done });
    }
  }

  private async execute(record: RunRecord, signal: AbortSignal): Promise<void> {
    try {
      await record.setState(RunState.RUN_STATE_RUNNING, record.run.epochsDone >= 0 ? `resumed after epoch ${record.run.epochsDone}` : '');
      await executeRun(record, this.options, signal);
      await record.setState(RunState.RUN_STATE_COMPLETED);
    } catch (error) {
      const reason = signal.aborted ? signal.reason : error;
      if (reason instanceof ShuttingDown) return;
      if (reason instanceof StopRequested) {
        await record.setState(RunState.RUN_STATE_STOPPED, `${reason.message} after epoch ${record.run.epochsDone}`);
        return;
      }
      const message = reason instanceof Error ? reason.message : String(reason);
      this.logger.error({ runId: record.id, err: reason }, `run ${record.id} failed: ${message}`);
      await record.setState(RunState.RUN_STATE_FAILED, message).catch((e: unknown) => this.logger.error({ err: e }, `cannot record the failure of run ${record.id}`));
    }
  }
}
