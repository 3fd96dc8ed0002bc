// The runs as the dashboard shows them, folded from events. The server and the page run the same fold,
// so anything shown can be rebuilt from the event stream.
import type { DashboardEvent, EmbeddingView, EpochView, ProgressEventView, RunStateName } from './events';

export interface RunView {
  runId: string;
  name: string;
  state: RunStateName | 'unknown';
  reason: string;
  dataset: string;
  architecture: string;
  epochsPlanned: number;
  updatedAtMs: number;
  /** Sorted by epoch; a repeated epoch replaces the earlier one. */
  epochs: EpochView[];
  embeddings: EmbeddingView[];
  /** Progress under way: the training of one epoch and, at the same time, the evaluation of the one
   *  before (they overlap); each is cleared when its epoch's metrics arrive. */
  progress: RunProgress;
}

export interface RunProgress {
  train: ProgressEventView | null;
  evaluation: ProgressEventView | null;
}

/** Which of the two a progress event reports on. */
export const progressSlot = (event: ProgressEventView): keyof RunProgress => (event.stage.startsWith('train') ? 'train' : 'evaluation');

export interface RunSummary {
  runId: string;
  name: string;
  state: RunView['state'];
  reason: string;
  dataset: string;
  architecture: string;
  epochsPlanned: number;
  epochsDone: number;
  updatedAtMs: number;
  hasEmbedding: boolean;
}

export type Runs = Map<string, RunView>;

function emptyRun(runId: string): RunView {
  return {
    runId,
    name: '',
    state: 'unknown',
    reason: '',
    dataset: '',
    architecture: '',
    epochsPlanned: 0,
    updatedAtMs: 0,
    epochs: [],
    embeddings: [],
    progress: { train: null, evaluation: null },
  };
}

/** Applies one event in place and returns the run it touched. */
export function applyEvent(runs: Runs, event: DashboardEvent): RunView {
  let run = runs.get(event.runId);
  if (!run) {
    run = emptyRun(event.runId);
    runs.set(event.runId, run);
  }
  switch (event.kind) {
    case 'status':
      Object.assign(run, {
        state: event.state,
        reason: event.reason,
        updatedAtMs: Math.max(run.updatedAtMs, event.atMs),
        // A status without config (e.g. a bare "stopped") keeps what an earlier one said.
        name: event.name || run.name,
        dataset: event.dataset || run.dataset,
        architecture: event.architecture || run.architecture,
        epochsPlanned: event.epochsPlanned || run.epochsPlanned,
      });
      if (event.state !== 'running' && event.state !== 'pending') run.progress = { train: null, evaluation: null };
      break;
    case 'epoch':
      upsertByEpoch(run.epochs, event.metrics);
      for (const slot of ['train', 'evaluation'] as const) {
        if ((run.progress[slot]?.epoch ?? Infinity) <= event.metrics.epoch) run.progress[slot] = null;
      }
      break;
    case 'embedding':
      upsertByEpoch(run.embeddings, event.embedding);
      break;
    case 'progress':
      run.progress[progressSlot(event)] = event;
      break;
  }
  return run;
}

function upsertByEpoch<T extends { epoch: number }>(list: T[], item: T): void {
  const index = list.findIndex((existing) => existing.epoch >= item.epoch);
  if (index === -1) list.push(item);
  else if (list[index].epoch === item.epoch) list[index] = item;
  else list.splice(index, 0, item);
}

export function summarize(run: RunView): RunSummary {
  return {
    runId: run.runId,
    name: run.name,
    state: run.state,
    reason: run.reason,
    dataset: run.dataset,
    architecture: run.architecture,
    epochsPlanned: run.epochsPlanned,
    epochsDone: run.epochs.length === 0 ? -1 : run.epochs[run.epochs.length - 1].epoch,
    updatedAtMs: run.updatedAtMs,
    hasEmbedding: run.embeddings.length > 0,
  };
}

/** Most recently updated first, then by id, so the list is stable. */
export function listRuns(runs: Runs): RunSummary[] {
  return [...runs.values()]
    .map(summarize)
    .sort((a, b) => b.updatedAtMs - a.updatedAtMs || a.runId.localeCompare(b.runId));
}
