import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { createMemoryBus, type EventBus } from '@conjugate/bus';
import { connectDataService } from '@conjugate/clients';
import type { EpochEvaluator } from '@conjugate/evaluation';
import { TrainingServiceService, type Model } from '@conjugate/proto';
import {
  createLogger, DEFAULT_MAX_MESSAGE_BYTES, invalidArgument, notFound, startGrpcService, type GrpcServiceHandle, type ServiceHandlers, type ServiceStartOptions,
} from '@conjugate/service-kit';
import { trainingDataFrom } from './data-source';
import { fitToDataset, validateRunConfig } from './run-config';
import { RunEvents } from './run-events';
import { RunManager } from './run-manager';
import { RunStore } from './run-store';

export interface TrainingServiceOptions extends ServiceStartOptions {
  /** host:port of the data-service. Without it runs fail at once, saying so. */
  dataServiceAddress?: string;
  /** Where run records and checkpoints live. Default ./.conjugate/runs. */
  runsDir?: string;
  /** Where events go. Default: an in-memory bus (embedded mode). The caller closes it. */
  bus?: EventBus;
  /** Per-epoch evaluation beyond test accuracy (issue 7 §1). */
  evaluator?: EpochEvaluator;
  /** Runs trained at once; the rest wait PENDING. Default 1. */
  maxConcurrentRuns?: number;
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
  const dataClient = options.dataServiceAddress ? connectDataService(options.dataServiceAddress, { maxMessageBytes }) : undefined;
  const data = dataClient && trainingDataFrom(dataClient, options.dataServiceAddress!);
  const store = new RunStore(options.runsDir ?? DEFAULT_RUNS_DIR);
  await store.init();
  const events = new RunEvents(options.bus ?? createMemoryBus(), logger);
  const runs = new RunManager({
    store, data, events, logger,
    evaluator: options.evaluator,
    maxConcurrentRuns: options.maxConcurrentRuns ?? 1,
    evaluationBatchSize: options.evaluationBatchSize ?? 250,
    progressIntervalMs: options.progressIntervalMs ?? 500,
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
    },
  };
}
