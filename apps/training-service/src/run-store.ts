import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EmbeddingSnapshot, Run, TrainingCheckpoint } from '@conjugate/proto';
import { writeFileAtomic } from './atomic-file';

const RUN_FILE = 'run.json';
const SUBSET_FILE = 'train-subset.json';
const CHECKPOINT_PATTERN = /^epoch-(\d+)\.ckpt$/;
const SNAPSHOT_PATTERN = /^epoch-(\d+)\.snapshot$/;

const checkpointFile = (epoch: number) => `epoch-${String(epoch).padStart(6, '0')}.ckpt`;
const snapshotFile = (epoch: number) => `epoch-${String(epoch).padStart(6, '0')}.snapshot`;

/**
 * Run records and checkpoints on disk, one folder per run:
 *   <dir>/<runId>/run.json                  the Run message as JSON (readable with any tool)
 *   <dir>/<runId>/checkpoints/epoch-NNNNNN.ckpt   TrainingCheckpoint, protobuf binary
 *   <dir>/<runId>/snapshots/epoch-NNNNNN.snapshot   EmbeddingSnapshot (Figure 1 map), protobuf binary
 *   <dir>/<runId>/train-subset.json         the train indices of a run with train_limit (after epoch 1)
 * Every file is replaced atomically, so a crash never leaves a torn record or checkpoint.
 */
export class RunStore {
  constructor(readonly dir: string) {}

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** Every stored run; a folder without a readable run.json is skipped (reported to `onUnreadable`). */
  async list(onUnreadable: (runId: string, error: Error) => void = () => {}): Promise<Run[]> {
    const entries = await readdir(this.dir, { withFileTypes: true });
    const runs: Run[] = [];
    for (const entry of entries.filter((e) => e.isDirectory())) {
      try {
        runs.push(Run.fromJSON(JSON.parse(await readFile(join(this.dir, entry.name, RUN_FILE), 'utf8'))));
      } catch (error) {
        onUnreadable(entry.name, error as Error);
      }
    }
    return runs;
  }

  async save(run: Run): Promise<void> {
    const folder = join(this.dir, run.id);
    await mkdir(join(folder, 'checkpoints'), { recursive: true });
    await writeFileAtomic(join(folder, RUN_FILE), JSON.stringify(Run.toJSON(run), null, 1));
  }

  async saveCheckpoint(runId: string, epoch: number, checkpoint: TrainingCheckpoint): Promise<void> {
    await writeFileAtomic(join(this.dir, runId, 'checkpoints', checkpointFile(epoch)), TrainingCheckpoint.encode(checkpoint).finish());
  }

  /** undefined when there is no checkpoint for that epoch. */
  async loadCheckpoint(runId: string, epoch: number): Promise<TrainingCheckpoint | undefined> {
    try {
      return TrainingCheckpoint.decode(await readFile(join(this.dir, runId, 'checkpoints', checkpointFile(epoch))));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Deletes one checkpoint (none there: nothing to do). */
  async deleteCheckpoint(runId: string, epoch: number): Promise<void> {
    await rm(join(this.dir, runId, 'checkpoints', checkpointFile(epoch)), { force: true });
  }

  /** Epochs with a checkpoint, ascending. */
  async checkpointEpochs(runId: string): Promise<number[]> {
    try {
      const names = await readdir(join(this.dir, runId, 'checkpoints'));
      return names.flatMap((n) => CHECKPOINT_PATTERN.exec(n)?.[1] ?? []).map(Number).sort((a, b) => a - b);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async saveSnapshot(runId: string, snapshot: EmbeddingSnapshot): Promise<void> {
    await mkdir(join(this.dir, runId, 'snapshots'), { recursive: true });
    await writeFileAtomic(join(this.dir, runId, 'snapshots', snapshotFile(snapshot.epoch)), EmbeddingSnapshot.encode(snapshot).finish());
  }

  /** The run's embedding snapshots, by epoch ascending (none for a run that has none). */
  async loadSnapshots(runId: string): Promise<EmbeddingSnapshot[]> {
    let names: string[];
    try {
      names = await readdir(join(this.dir, runId, 'snapshots'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const epochs = names.flatMap((n) => SNAPSHOT_PATTERN.exec(n)?.[1] ?? []).map(Number).sort((a, b) => a - b);
    return Promise.all(epochs.map(async (e) => EmbeddingSnapshot.decode(await readFile(join(this.dir, runId, 'snapshots', snapshotFile(e))))));
  }

  async saveTrainSubset(runId: string, indices: number[]): Promise<void> {
    await writeFileAtomic(join(this.dir, runId, SUBSET_FILE), JSON.stringify(indices));
  }

  async loadTrainSubset(runId: string): Promise<number[] | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir, runId, SUBSET_FILE), 'utf8')) as number[];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
