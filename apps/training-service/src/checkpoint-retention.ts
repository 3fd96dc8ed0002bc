/**
 * How many checkpoints a run keeps on disk (about 1 MB per epoch for cnn3 with Adam's slots, far more for
 * CIFAR models): the last `keepLast` epochs — the newest is what a restart resumes from — plus epoch 0,
 * the epochs in `keepEpochs`, and the run's embedding epochs (the networks Figure 1 shows), so that they
 * can still be attacked or estimated later by reference. keepLast 0 keeps every checkpoint.
 */
export interface CheckpointRetention {
  keepLast: number;
  keepEpochs: readonly number[];
}

export const DEFAULT_CHECKPOINT_RETENTION: CheckpointRetention = { keepLast: 5, keepEpochs: [] };

/**
 * The stored epochs that may be deleted once epoch `latest` is recorded. Only epochs before the last
 * `keepLast` recorded ones go, so a checkpoint whose evaluation is still running is never among them.
 */
export function checkpointsToPrune(stored: readonly number[], latest: number, retention: CheckpointRetention, alsoKeep: readonly number[] = []): number[] {
  if (retention.keepLast <= 0) return [];
  const kept = new Set([0, ...retention.keepEpochs, ...alsoKeep]);
  return stored.filter((epoch) => epoch <= latest - retention.keepLast && !kept.has(epoch));
}

/** CHECKPOINT_KEEP_EPOCHS: "1,21,41" → [1, 21, 41]; a clear error for anything else. */
export function parseKeepEpochs(text: string): number[] {
  if (text.trim() === '') return [];
  return text.split(',').map((part) => {
    const epoch = Number(part.trim());
    if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`CHECKPOINT_KEEP_EPOCHS: "${part.trim().slice(0, 40)}" is not an epoch (a whole number ≥ 0); expected e.g. 1,21,41`);
    return epoch;
  });
}
