import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { createMemoryBus, type EventBus } from '@conjugate/bus';
import { connectDataService } from '@conjugate/clients';
import type { EpochEvaluator } from '@conjugate/evaluation';
import { TrainingServiceService, type Model } from '@conjugate/proto';
import {
  acquirePidLock, createLogger, DEFAULT_MAX_MESSAGE_BYTES, invalidArgument, LockHeldError, type Logger, notFound, startGrpcService, type GrpcServiceHandle, type ServiceHandlers, type ServiceStartOptions,
} from '@conjugate/service-kit';
import { trainingDataFrom, trainingDataInProcess, type InProcessData } from './data-source';
import { fitToDataset, validateRunConfig } from './run-config';
import { RunEvents } from './run-events';
import { RunManager } from './run-manager';
import type { CheckpointRetention } from './checkpoint-retention';
import { RunStore } from './run-store';

export interface TrainingServiceOptions extends ServiceStartOptions {
  /** host:port of the data-service. Without it runs fail at once, saying so. */
  dataServiceAddress?: string;
  /** A data-service in this process (the embedded stack): batches are read from it directly, not over gRPC. */
  localData?: InProcessData;
  /** Where run records and checkpoints live. Default ./.conjugate/runs. */
  runsDir?: string;
  /** Where events go. Default: an in-memory bus (embedded mode). The caller closes it. */
  bus?: EventBus;
  /**
   * How long a run waits for an unreachable data-service, or for a dropped batch stream to come back,
   * before it fails. Default 60 s: a supervised data-service restarts within seconds.
   */
  dataServiceWaitMs?: number;
  /** Per-epoch evaluation beyond test accuracy (issue 7 §1). */
  evaluator?: EpochEvaluator;
  /** Runs trained at once; the rest wait PENDING. Default 1. */
  maxConcurrentRuns?: number;
  /** Epoch evaluations pending while the next epoch trains (0: train and evaluate in turn); default 1. */
  evaluationsInFlight?: number;
  /** Which checkpoints each run keeps on disk; default: the last 5, epoch 0 and the embedding epochs. */
  checkpointRetention?: CheckpointRetention;
  /** Images per test-evaluation batch. Default 250. */
  evaluationBatchSize?: number;
  /** Least time between two progress events of a run. Default 500 ms. */
  progressIntervalMs?: number;
}

export const DEFAULT_RUNS_DIR = './.conjugate/runs';

export interface TrainingServiceHandle extends GrpcServiceHandle {
  /** The run registry, for in-process callers (the embedded CLI). */
  runs: RunManager;
}

/**
 * Starts the TrainingService: validates and queues runs, trains them in the background with data
 * streamed from the data-service, stores a checkpoint per epoch and the run records under `runsDir`,
 * publishes status/epoch/progress events, and resumes unfinished runs from their last checkpoint.
 * `shutdown()` stops training (runs stay RUNNING on disk, to resume at the next start) and the server.
 */
export async function startTrainingService(options: TrainingServiceOptions): Promise<TrainingServiceHandle> {
  await initBackend();
  const logger = options.logger ?? createLogger('training-service');
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const store = new RunStore(options.runsDir ?? DEFAULT_RUNS_DIR);
  await store.init();
  const lock = await lockRunStore(store.dir);
  try {
    return await serve(options, store, logger, maxMessageBytes, lock.release);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** The lock file in a run store: one training-service writes a store (see lockRunStore). */
export const RUN_STORE_LOCK = 'training-service.lock';

/**
 * One training-service per run store: two would both resume its unfinished runs and write the same
 * records. A second one refuses to start, naming the holder (a supervisor or Kubernetes retries it, so it
 * takes over once the holder is gone); a lock left by a killed one is taken over (libs/service-kit pid-lock).
 */
async function lockRunStore(dir: string) {
  try {
    return await acquirePidLock(join(dir, RUN_STORE_LOCK), `the run store ${resolve(dir)}`);
  } catch (error) {
    if (!(error instanceof LockHeldError)) throw error;
    throw new Error(`${error.message}: another training-service uses it — stop that one, or give this one its own RUNS_DIR`, { cause: error });
  }
}

async function serve(options: TrainingServiceOptions, store: RunStore, logger: Logger, maxMessageBytes: number, unlock: () => Promise<void>): Promise<TrainingServiceHandle> {
  const dataClient = options.dataServiceAddress && !options.localData ? connectDataService(options.dataServiceAddress, { maxMessageBytes }) : undefined;
  const data = options.localData ? trainingDataInProcess(options.localData) : dataClient && trainingDataFrom(dataClient, options.dataServiceAddress!, {
    resumeWindowMs: options.dataServiceWaitMs,
    onResume: ({ error, batchesReceived, retryInMs }) => logger.warn({ err: error, batchesReceived }, `batch stream dropped after ${batchesReceived} batches (${error.message}); resuming in ${retryInMs} ms`),
  });
  const events = new RunEvents(options.bus ?? createMemoryBus(), logger);
  const runs = new RunManager({
    store, data, events, logger,
    evaluator: options.evaluator,
    maxConcurrentRuns: options.maxConcurrentRuns ?? 1,
    evaluationBatchSize: options.evaluationBatchSize ?? 250,
    progressIntervalMs: options.progressIntervalMs ?? 500,
    checkpointRetention: options.checkpointRetention,
    evaluationsInFlight: options.evaluationsInFlight,
  });

  const implementation: ServiceHandlers<typeof TrainingServiceService> = {
    async startRun(request) {
      let config = validateRunConfig(request.config);
      if (data) {
        // An unknown dataset is the caller's mistake (NOT_FOUND now); an unreachable data-service is
        // not: the run is accepted and fails with the reason, as every later data problem does.
        const info = await data.describe(config.dataset).catch((error: { code?: number; message: string }) => {
          if (error.code === 5) throw notFound(`config.dataset: ${error.message}`);
          if (error.code === 3) throw invalidArgument(`config.dataset: ${error.message}`);
          logger.warn({ err: error }, 'data-service unreachable while starting a run');
          return undefined;
        });
        if (info) config = fitToDataset(config, info);
      }
      return runs.start(config);
    },
    getRun: (request) => runs.get(request.runId),
    listRuns: () => ({ runs: runs.list() }),
    stopRun: (request) => runs.stop(request.runId),
    async watchRun(request, stream) {
      runs.get(request.runId); // NOT_FOUND before the stream starts
      for await (const event of runs.watch(request.runId, stream.signal)) await stream.write(event);
    },
    async getCheckpoint(request): Promise<Model> {
      const run = runs.get(request.runId);
      // Latest = the last recorded epoch; an explicit epoch may also be one just stored and being evaluated.
      const epoch = request.epoch < 0 ? run.epochsDone : request.epoch;
      const checkpoint = epoch < 0 ? undefined : await store.loadCheckpoint(run.id, epoch);
      if (!checkpoint?.model) {
        const stored = await store.checkpointEpochs(run.id);
        const have = stored.length ? `it has epochs ${stored.join(', ')}` : 'it has none yet';
        throw notFound(`epoch: run ${run.id} has no checkpoint${request.epoch < 0 ? '' : ` for epoch ${request.epoch}`} (${have})`);
      }
      return checkpoint.model;
    },
    getEmbeddingSnapshots: async (request) => ({ snapshots: await store.loadSnapshots(runs.get(request.runId).id) }),
  };

  // The registry is loaded before the server answers (no NOT_FOUND for a stored run after a restart);
  // training resumes once it answers (the evaluator fetches checkpoints from it).
  await runs.recover();
  const service = await startGrpcService({
    ...options, logger, name: 'training-service', maxMessageBytes, tensorMemory: () => tf.memory(), services: [{ definition: TrainingServiceService, implementation }], release: () => dataClient?.close(),
  });
  runs.begin();
  const shutdown = service.shutdown;
  return {
    ...service,
    runs,
    shutdown: async (graceMs?: number) => {
      await runs.close();
      await shutdown(graceMs);
      await unlock();
    },
  };
}
