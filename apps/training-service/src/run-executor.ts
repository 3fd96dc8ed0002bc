import * as tf from '@tensorflow/tfjs-core';
import { createClassifier, fromModelMessage, toModelMessage, type TrainableClassifier } from '@conjugate/models';
import { Split, StreamBatchesRequest, type EmbeddingSnapshot, type EpochMetrics, type Model, type ModelSpec, type Progress, type RunConfig } from '@conjugate/proto';
import { fromTensorMessage, toTensorMessage } from '@conjugate/tensor';
import {
  attackMixing, createOptimizer, evaluateAccuracy, restoreOptimizerState, saveOptimizerState, trainEpoch, type EpochResult,
} from '@conjugate/training';
import type { Logger } from '@conjugate/service-kit';
import { checkpointsToPrune, DEFAULT_CHECKPOINT_RETENTION, type CheckpointRetention } from './checkpoint-retention';
import { testRequest, type TrainingData } from './data-source';
import { EvaluationPipeline } from './evaluation-pipeline';
import { epochShuffleSeed, seededPermutation } from './epoch-order';
import type { EpochEvaluator, EpochMeasurements } from '@conjugate/evaluation';
import { adversarialAttackOf, fitToDataset } from './run-config';
import type { RunEvents } from './run-events';
import type { RunRecord } from './run-record';
import type { RunStore } from './run-store';

export interface ExecutorDeps {
  store: RunStore;
  /** Undefined when the service was started without a data-service address: runs fail saying so. */
  data?: TrainingData;
  events: RunEvents;
  evaluator?: EpochEvaluator;
  logger: Logger;
  /** Images per test batch. */
  evaluationBatchSize: number;
  /** Least time between two progress events of a run. */
  progressIntervalMs: number;
  /** Evaluations pending while training goes on (0: each epoch waits for its own); default 1. */
  evaluationsInFlight?: number;
  /** Which checkpoints stay on disk; default DEFAULT_CHECKPOINT_RETENTION. */
  checkpointRetention?: CheckpointRetention;
}

export const DEFAULT_EVALUATIONS_IN_FLIGHT = 1;

/** What an epoch's evaluation produced, recorded in epoch order. */
interface EpochEvaluation {
  metrics: EpochMetrics;
  snapshot?: EmbeddingSnapshot;
}

/**
 * Trains one run to its last epoch, from its last recorded epoch on (a fresh run starts with the
 * epoch-0 evaluation). Per epoch: train, store the checkpoint, evaluate (in the background, while the
 * next epoch trains), record and publish the metrics in epoch order. A restart resumes after the last
 * recorded epoch: epochs trained but not yet recorded are trained again, identically (seeded).
 * Rejects when the signal aborts (stop or shutdown) or anything fails; the caller sets the final state.
 */
export async function executeRun(record: RunRecord, deps: ExecutorDeps, signal: AbortSignal): Promise<void> {
  if (!deps.data) throw new Error('this training-service has no data-service address configured (DATA_SERVICE_ADDRESS)');
  const data = deps.data;
  const runId = record.id;
  // A run resumed at start-up may find the data-service still coming up (a whole stack restarting).
  const config = fitToDataset(record.run.config!, await data.describeWhenUp(record.run.config!.dataset, signal));
  if (JSON.stringify(config.model) !== JSON.stringify(record.run.config!.model)) await record.setConfig(config);
  const resumeFrom = record.run.epochsDone;
  const { classifier, optimizer } = await restoreOrCreate(deps.store, runId, config, resumeFrom);
  const adversarial = adversarialAttackOf(config);
  const mixing = adversarial && attackMixing(adversarial.ratio, adversarial.spec);
  // Each epoch's evaluation runs while the next one trains; results are recorded in epoch order.
  const evaluations = new EvaluationPipeline<EpochEvaluation>(deps.evaluationsInFlight ?? DEFAULT_EVALUATIONS_IN_FLIGHT, recordEpoch);
  try {
    if (resumeFrom < 0) await finishEpoch(0, undefined);
    for (let epoch = Math.max(resumeFrom, 0) + 1; epoch <= config.epochs; epoch++) {
      signal.throwIfAborted();
      const { request, collectSubset } = await trainRequest(deps.store, runId, config, epoch);
      const subset: number[] = [];
      let numBatches = 0;
      const batches = data.batches(request, signal, (message) => {
        numBatches = message.numBatches;
        if (collectSubset) subset.push(...message.indices);
      });
      let lastProgress = 0;
      const trained = await trainEpoch(classifier, batches, optimizer, {
        signal,
        adversarial: mixing,
        onBatch: (p) => {
          const now = Date.now();
          if (now - lastProgress < deps.progressIntervalMs && p.batches < numBatches) return;
          lastProgress = now;
          deps.events.progress({ runId, epoch, progress: { stage: 'train', done: p.batches, total: numBatches, unit: 'batches', ratePerSecond: p.images / Math.max(p.seconds, 1e-6) } });
        },
      });
      if (collectSubset) await deps.store.saveTrainSubset(runId, subset);
      await finishEpoch(epoch, trained);
    }
    await evaluations.drain();
  } finally {
    await evaluations.settle(); // a failed or stopped run: let the evaluations in flight end first
    classifier.dispose();
    optimizer.dispose();
  }

  /**
   * Stores the epoch's checkpoint (what a restart resumes from, and what the attack- and
   * uncertainty-service fetch by reference), then hands a frozen copy of the network to the evaluation.
   */
  async function finishEpoch(epoch: number, trained: EpochResult | undefined): Promise<void> {
    const model = toModelMessage(classifier, { runId, epoch });
    const slots = await saveOptimizerState(optimizer, classifier.weightNames);
    const optimizerState = slots.map((s) => ({ name: s.name, tensor: toTensorMessage(s.tensor, s.name) }));
    tf.dispose(slots.map((s) => s.tensor));
    await deps.store.saveCheckpoint(runId, epoch, { model, optimizerState });
    await evaluations.submit(() => evaluateEpoch(epoch, trained, model));
  }

  async function evaluateEpoch(epoch: number, trained: EpochResult | undefined, model: Model): Promise<EpochEvaluation> {
    const frozen = fromModelMessage(model); // training goes on with `classifier` meanwhile
    try {
      const evaluationStarted = performance.now();
      const test = await evaluateAccuracy(frozen, data.batches(testRequest(config.dataset, config.evaluation?.testLimit ?? 0, deps.evaluationBatchSize), signal));
      const testSeconds = (performance.now() - evaluationStarted) / 1000;
      const measurements = await measure(epoch, model, frozen);
      const evaluationSeconds = (performance.now() - evaluationStarted) / 1000;
      const metrics: EpochMetrics = {
        epoch,
        trainLoss: trained?.loss ?? 0,
        trainAccuracy: trained?.accuracy ?? 0,
        testLoss: test.loss,
        testAccuracy: test.accuracy,
        robustPixel: measurements.robustPixel,
        robustFeature: measurements.robustFeature,
        uncertainty: measurements.uncertainty ?? [],
        timings: {
          trainSeconds: trained?.seconds ?? 0,
          evaluationSeconds,
          imagesPerSecond: trained ? trained.images / Math.max(trained.seconds, 1e-9) : 0,
          steps: [{ step: 'test-accuracy', seconds: testSeconds }, ...(measurements.steps ?? [])],
        },
        hasEmbedding: measurements.embedding !== undefined,
      };
      return { metrics, snapshot: measurements.embedding && { ...measurements.embedding, epoch } };
    } finally {
      frozen.dispose();
    }
  }

  /** In epoch order: the snapshot, then the epoch (stored with the run before published, in every mode). */
  async function recordEpoch({ metrics, snapshot }: EpochEvaluation): Promise<void> {
    signal.throwIfAborted();
    if (snapshot) {
      await deps.store.saveSnapshot(runId, snapshot);
      deps.events.embedding({ runId, snapshot });
    }
    await record.addEpoch(metrics);
    await pruneCheckpoints(metrics.epoch);
    deps.logger.info({ runId, epoch: metrics.epoch, testAccuracy: metrics.testAccuracy, trainLoss: metrics.trainLoss, seconds: metrics.timings }, `run ${runId} epoch ${metrics.epoch} done`);
  }

  async function pruneCheckpoints(latest: number): Promise<void> {
    const retention = deps.checkpointRetention ?? DEFAULT_CHECKPOINT_RETENTION;
    const prunable = checkpointsToPrune(await deps.store.checkpointEpochs(runId), latest, retention, config.evaluation?.embeddingEpochs ?? []);
    for (const old of prunable) await deps.store.deleteCheckpoint(runId, old);
  }

  async function measure(epoch: number, modelMessage: Model, frozen: TrainableClassifier): Promise<EpochMeasurements> {
    if (!deps.evaluator) return {};
    const onProgress = (progress: Progress) => deps.events.progress({ runId, epoch, progress });
    try {
      return await deps.evaluator.evaluate({
        runId, epoch, config, classifier: frozen, modelMessage, signal, onProgress,
        model: { source: { $case: 'ref', value: { runId, epoch } } },
      });
    } catch (error) {
      signal.throwIfAborted();
      const reason = `evaluation failed: ${(error as Error).message}`;
      deps.logger.warn({ runId, epoch, err: error }, reason);
      return { robustPixel: { missingReason: reason }, robustFeature: { missingReason: reason } };
    }
  }
}

/** A fresh seeded network and optimizer, or both as they were after epoch `epochsDone`. */
async function restoreOrCreate(store: RunStore, runId: string, config: RunConfig, epochsDone: number) {
  const optimizer = createOptimizer(config.optimizer, config.learningRate);
  if (epochsDone < 0) return { classifier: createClassifier(config.model as ModelSpec), optimizer };
  const checkpoint = await store.loadCheckpoint(runId, epochsDone);
  if (!checkpoint?.model) {
    optimizer.dispose();
    throw new Error(`cannot resume run ${runId}: the checkpoint of epoch ${epochsDone} is missing from ${store.dir}`);
  }
  const classifier = fromModelMessage(checkpoint.model);
  const slots = checkpoint.optimizerState.map((s) => ({ name: s.name, tensor: fromTensorMessage(s.tensor!, { name: s.name }) }));
  try {
    await restoreOptimizerState(optimizer, classifier.weightNames, slots);
  } finally {
    tf.dispose(slots.map((s) => s.tensor));
  }
  return { classifier, optimizer };
}

/**
 * The train stream of an epoch, a fixed function of (seed, epoch): the whole split in the data-service's
 * order for a per-epoch seed; with train_limit, the first train_limit images of the order of epoch "0" —
 * in that order at epoch 1 (whose indices are then stored), as a seeded permutation of them after.
 */
async function trainRequest(store: RunStore, runId: string, config: RunConfig, epoch: number): Promise<{ request: StreamBatchesRequest; collectSubset: boolean }> {
  const base = { dataset: config.dataset, split: Split.SPLIT_TRAIN, batchSize: config.batchSize };
  if (config.trainLimit === 0) return { request: StreamBatchesRequest.fromPartial({ ...base, shuffleSeed: epochShuffleSeed(config.seed, epoch) }), collectSubset: false };
  if (epoch === 1) return { request: StreamBatchesRequest.fromPartial({ ...base, shuffleSeed: epochShuffleSeed(config.seed, 0), limit: config.trainLimit }), collectSubset: true };
  const subset = await store.loadTrainSubset(runId);
  if (!subset) throw new Error(`cannot continue run ${runId}: its train subset (stored after epoch 1) is missing from ${store.dir}`);
  return { request: StreamBatchesRequest.fromPartial({ ...base, indices: seededPermutation(subset, epochShuffleSeed(config.seed, epoch)) }), collectSubset: false };
}
