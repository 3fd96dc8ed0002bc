import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DType, EmbeddingSnapshot, Run, RunState } from '@conjugate/proto';
import { RunStore } from './run-store';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conjugate-runs-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const run = (id: string): Run =>
  Run.fromPartial({ id, state: RunState.RUN_STATE_RUNNING, createdAtMs: 5, epochsDone: 1, epochs: [{ epoch: 0, testAccuracy: 0.1 }, { epoch: 1, testAccuracy: 0.5 }] });

it('keeps run records across instances and skips an unreadable one, naming it', async () => {
  const store = new RunStore(dir);
  await store.init();
  await store.save(run('a'));
  await store.save({ ...run('a'), epochsDone: 2 });
  await store.save(run('b'));
  await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'broken')));
  const skipped: string[] = [];
  const runs = await new RunStore(dir).list((id) => skipped.push(id));
  expect(runs.map((r) => [r.id, r.epochsDone]).sort()).toEqual([['a', 2], ['b', 1]]);
  expect(runs.find((r) => r.id === 'b')).toEqual(run('b'));
  expect(skipped).toEqual(['broken']);
  expect((await readdir(join(dir, 'a'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});

it('stores checkpoints per epoch and lists them in order', async () => {
  const store = new RunStore(dir);
  await store.init();
  await store.save(run('r'));
  const tensor = { dtype: DType.DTYPE_FLOAT32, shape: [2], data: Buffer.from(new Float32Array([1.5, -2]).buffer) };
  for (const epoch of [0, 2, 10, 1]) {
    await store.saveCheckpoint('r', epoch, { model: { spec: undefined, weights: [{ name: 'w', tensor }], runId: 'r', epoch }, optimizerState: [] });
  }
  expect(await store.checkpointEpochs('r')).toEqual([0, 1, 2, 10]);
  const loaded = await store.loadCheckpoint('r', 2);
  expect(loaded?.model?.epoch).toBe(2);
  expect(Buffer.from(loaded!.model!.weights[0].tensor!.data)).toEqual(tensor.data);
  expect(await store.loadCheckpoint('r', 3)).toBeUndefined();
  expect(await store.checkpointEpochs('nope')).toEqual([]);
});

it('keeps the train subset', async () => {
  const store = new RunStore(dir);
  await store.init();
  await store.save(run('s'));
  expect(await store.loadTrainSubset('s')).toBeUndefined();
  await store.saveTrainSubset('s', [5, 3, 9]);
  expect(await store.loadTrainSubset('s')).toEqual([5, 3, 9]);
});

it('stores embedding snapshots with the run, returned by epoch ascending', async () => {
  const store = new RunStore(dir);
  await store.init();
  await store.save(run('r'));
  expect(await store.loadSnapshots('r')).toEqual([]);
  const coordinates = { dtype: DType.DTYPE_FLOAT32, shape: [1, 2], data: Buffer.from(new Float32Array([0.25, -3]).buffer) };
  for (const epoch of [41, 1, 21]) await store.saveSnapshot('r', EmbeddingSnapshot.fromPartial({ epoch, coordinates, bounds: [epoch, 1] }));
  const loaded = await store.loadSnapshots('r');
  expect(loaded.map((s) => [s.epoch, s.bounds[0]])).toEqual([[1, 1], [21, 21], [41, 41]]);
  expect(Buffer.from(loaded[0].coordinates!.data)).toEqual(coordinates.data);
  expect(await store.loadSnapshots('nope')).toEqual([]);
});
