import { RunHistory } from './run-history';
import type { DashboardEvent } from './view/events';

const status = (seq: number, runId = 'r'): DashboardEvent => ({
  kind: 'status', seq, runId, state: 'running', reason: '', atMs: seq, name: `run ${seq}`, dataset: '', architecture: '', epochsPlanned: 0,
});

describe('RunHistory', () => {
  it('returns the stored events after a sequence number, across gaps', () => {
    const history = new RunHistory();
    for (const seq of [1, 2, 5, 9]) history.add(status(seq));
    expect(history.since(0).map((e) => e.seq)).toEqual([1, 2, 5, 9]);
    expect(history.since(2).map((e) => e.seq)).toEqual([5, 9]);
    expect(history.since(3).map((e) => e.seq)).toEqual([5, 9]);
    expect(history.since(9)).toEqual([]);
  });

  it('keeps each stored event once when a resubscription overlaps, and passes progress through unstored', () => {
    const history = new RunHistory();
    const heard: number[] = [];
    history.listen((entry) => heard.push(entry.seq));
    history.add(status(1));
    history.add(status(2));
    history.add(status(2));
    history.add({ kind: 'progress', seq: 0, runId: 'r', epoch: 1, stage: 'train', done: 1, total: 3, unit: 'batches', ratePerSecond: 0 });
    expect(heard).toEqual([1, 2, 0]);
    expect(history.since(0).map((e) => e.seq)).toEqual([1, 2]);
    expect(history.lastSeq).toBe(2);
    expect(history.run('r')?.progress.train?.done).toBe(1);
  });
});

describe('RunHistory.currentProgress', () => {
  it('hands out the latest progress of runs with an epoch under way', () => {
    const history = new RunHistory();
    history.add({ kind: 'progress', seq: 0, runId: 'a', epoch: 1, stage: 'train', done: 1, total: 3, unit: 'batches', ratePerSecond: 0 });
    history.add({ kind: 'progress', seq: 0, runId: 'a', epoch: 1, stage: 'train', done: 2, total: 3, unit: 'batches', ratePerSecond: 0 });
    history.add(status(1, 'b'));
    expect(history.currentProgress().map((entry) => [entry.seq, entry.event.runId, entry.event.kind === 'progress' && entry.event.done])).toEqual([[0, 'a', 2]]);
  });
});
