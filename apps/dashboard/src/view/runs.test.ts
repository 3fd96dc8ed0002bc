import type { EpochView, ProgressEventView, StatusEventView } from './events';
import { applyEvent, listRuns, type Runs } from './runs';

const epoch = (n: number, testAccuracy = 0.5): EpochView => ({
  epoch: n,
  trainLoss: 1,
  trainAccuracy: 0.5,
  testLoss: 1,
  testAccuracy,
  robustPixel: { value: null, missingReason: 'off' },
  robustFeature: { value: null, missingReason: 'off' },
  uncertainty: [],
  trainSeconds: 0,
  evaluationSeconds: 0,
  imagesPerSecond: 0,
  hasEmbedding: false,
});
const status = (runId: string, state: StatusEventView['state'], atMs: number, name = ''): StatusEventView => ({
  kind: 'status', seq: 1, runId, state, reason: '', atMs, name, dataset: '', architecture: '', epochsPlanned: 0,
});
const progress = (runId: string, epochNumber: number): ProgressEventView => ({
  kind: 'progress', seq: 0, runId, epoch: epochNumber, stage: 'train', done: 1, total: 2, unit: 'batches', ratePerSecond: 1,
});

describe('applyEvent', () => {
  it('keeps epochs sorted, and a repeated epoch replaces the earlier one', () => {
    const runs: Runs = new Map();
    for (const [n, accuracy] of [[2, 0.2], [0, 0], [1, 0.1], [1, 0.15]]) {
      applyEvent(runs, { kind: 'epoch', seq: 1, runId: 'r', metrics: epoch(n, accuracy) });
    }
    expect(runs.get('r')?.epochs.map((e) => [e.epoch, e.testAccuracy])).toEqual([[0, 0], [1, 0.15], [2, 0.2]]);
  });

  it('keeps the name from an earlier status when a later one has no config', () => {
    const runs: Runs = new Map();
    applyEvent(runs, status('r', 'running', 1, 'first'));
    applyEvent(runs, status('r', 'stopped', 2));
    expect(listRuns(runs)[0]).toMatchObject({ name: 'first', state: 'stopped', epochsDone: -1 });
  });

  it('shows progress until that epoch has finished', () => {
    const runs: Runs = new Map();
    applyEvent(runs, progress('r', 1));
    expect(runs.get('r')?.progress.train?.epoch).toBe(1);
    applyEvent(runs, { kind: 'epoch', seq: 2, runId: 'r', metrics: epoch(1) });
    expect(runs.get('r')?.progress.train).toBeNull();
  });

  it("shows an epoch's evaluation beside the next epoch's training, and clears each with its own epoch", () => {
    const runs: Runs = new Map();
    applyEvent(runs, progress('r', 2));
    applyEvent(runs, { ...progress('r', 1), stage: 'ensemble/pixel' });
    expect([runs.get('r')?.progress.train?.epoch, runs.get('r')?.progress.evaluation?.epoch]).toEqual([2, 1]);
    applyEvent(runs, { kind: 'epoch', seq: 2, runId: 'r', metrics: epoch(1) });
    expect([runs.get('r')?.progress.train?.epoch, runs.get('r')?.progress.evaluation]).toEqual([2, null]);
  });

  it('lists the most recently updated run first', () => {
    const runs: Runs = new Map();
    applyEvent(runs, status('old', 'completed', 10));
    applyEvent(runs, status('new', 'running', 20));
    expect(listRuns(runs).map((r) => r.runId)).toEqual(['new', 'old']);
  });
});
