// Everything the dashboard knows, rebuilt from the bus: the stored events in order (for browsers that
// (re)connect) and the runs folded from them (for the REST endpoints). Live listeners get each event once.
import { applyEvent, listRuns, type RunSummary, type RunView, type Runs } from './view/runs';
import type { DashboardEvent } from './view/events';

export interface LoggedEvent {
  /** Bus sequence; 0 for progress (not kept). */
  seq: number;
  event: DashboardEvent;
  /** Serialised once, sent to every browser. */
  json: string;
}

export type HistoryListener = (entry: LoggedEvent) => void;

export class RunHistory {
  private readonly stored: LoggedEvent[] = [];
  private readonly runs: Runs = new Map();
  private readonly listeners = new Set<HistoryListener>();

  /** Highest stored sequence seen (resume point for the bus subscription). */
  get lastSeq(): number {
    return this.stored.length === 0 ? 0 : this.stored[this.stored.length - 1].seq;
  }

  add(event: DashboardEvent): void {
    // A resubscription may overlap what is already here: keep each stored event once.
    if (event.seq !== 0 && event.seq <= this.lastSeq) return;
    const entry = { seq: event.seq, event, json: JSON.stringify(event) };
    if (entry.seq !== 0) this.stored.push(entry);
    applyEvent(this.runs, event);
    for (const listener of this.listeners) listener(entry);
  }

  /** Stored events after `seq`, in order. */
  since(seq: number): LoggedEvent[] {
    if (seq <= 0) return [...this.stored];
    // Sequences rise but may have gaps (other subjects in the stream): binary search the first one after seq.
    let low = 0;
    let high = this.stored.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.stored[mid].seq <= seq) low = mid + 1;
      else high = mid;
    }
    return this.stored.slice(low);
  }

  /** The latest progress of every run that has an epoch under way (progress is not stored, so a
   *  browser that connects now gets these after the backlog). */
  currentProgress(): LoggedEvent[] {
    return [...this.runs.values()].flatMap((run) => [run.progress.train, run.progress.evaluation].flatMap((event) => (event ? [{ seq: 0, event, json: JSON.stringify(event) }] : [])));
  }

  listen(listener: HistoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): RunSummary[] {
    return listRuns(this.runs);
  }

  run(runId: string): RunView | undefined {
    return this.runs.get(runId);
  }
}
