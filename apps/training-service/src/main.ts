// The training-service as a process: configuration from the environment, stops on SIGTERM/SIGINT
// (runs in progress stay RUNNING on disk and resume from their last checkpoint at the next start).
import { connectNatsBus, createMemoryBus } from '@conjugate/bus';
import { connectEvaluator } from '@conjugate/evaluation';
import { createLogger, envInt, envOptionalString, envString, grpcServiceEnv, grpcServiceOptionsFromEnv, loadConfig, shutdownOnSignals } from '@conjugate/service-kit';
import { DEFAULT_CHECKPOINT_RETENTION, parseKeepEpochs } from './checkpoint-retention';
import { DEFAULT_EVALUATIONS_IN_FLIGHT } from './run-executor';
import { DEFAULT_RUNS_DIR, startTrainingService } from './training-service';

async function main() {
  const config = loadConfig(
    grpcServiceEnv({ port: 50052, metricsPort: 9465 }).extend({
      /** host:port of the data-service. */
      DATA_SERVICE_ADDRESS: envOptionalString(),
      /** NATS server URL; unset = in-memory events (this process only). */
      NATS_URL: envOptionalString(),
      /** Run records and checkpoints. */
      RUNS_DIR: envString(DEFAULT_RUNS_DIR),
      MAX_CONCURRENT_RUNS: envInt(1, 1, 64),
      /** Epoch evaluations pending while the next epoch trains (0: train and evaluate in turn). */
      EVALUATIONS_IN_FLIGHT: envInt(DEFAULT_EVALUATIONS_IN_FLIGHT, 0, 16),
      /** Checkpoints kept per run: the last N epochs (0 = all), plus epoch 0, the embedding epochs and CHECKPOINT_KEEP_EPOCHS. */
      CHECKPOINT_KEEP_LAST: envInt(DEFAULT_CHECKPOINT_RETENTION.keepLast, 0, 1_000_000),
      /** Comma-separated epochs whose checkpoints are never deleted, e.g. 1,21,41. */
      CHECKPOINT_KEEP_EPOCHS: envString(''),
      /** host:port of the attack-service; with UNCERTAINTY_SERVICE_ADDRESSES it turns on the per-epoch evaluation. */
      ATTACK_SERVICE_ADDRESS: envOptionalString(),
      /** Comma-separated targets of the uncertainty-service replicas (each estimate is sharded over the backends they resolve to). */
      UNCERTAINTY_SERVICE_ADDRESSES: envOptionalString(),
      /** Shards of each robust-accuracy evaluation; 0 = one per attack-service backend ATTACK_SERVICE_ADDRESS resolves to. */
      ATTACK_SHARDS: envInt(0, 0, 1024),
      /** Shards of each packet estimate; 0 = one per backend the UNCERTAINTY_SERVICE_ADDRESSES resolve to. */
      UNCERTAINTY_SHARDS: envInt(0, 0, 1024),
    }),
  );
  const logger = createLogger('training-service', { level: config.LOG_LEVEL });
  const bus = config.NATS_URL ? await connectNatsBus({ url: config.NATS_URL }) : createMemoryBus();
  // Robust accuracy, Δx/Δp and embeddings through the other services (issue 7), when they are configured.
  const remote = config.ATTACK_SERVICE_ADDRESS && config.UNCERTAINTY_SERVICE_ADDRESSES && config.DATA_SERVICE_ADDRESS
    ? connectEvaluator({
      attack: config.ATTACK_SERVICE_ADDRESS, data: config.DATA_SERVICE_ADDRESS, uncertainty: config.UNCERTAINTY_SERVICE_ADDRESSES.split(',').map((a) => a.trim()),
      attackShards: config.ATTACK_SHARDS, uncertaintyShards: config.UNCERTAINTY_SHARDS,
    })
    : undefined;
  const service = await startTrainingService({
    ...grpcServiceOptionsFromEnv(config),
    dataServiceAddress: config.DATA_SERVICE_ADDRESS,
    runsDir: config.RUNS_DIR,
    maxConcurrentRuns: config.MAX_CONCURRENT_RUNS,
    evaluationsInFlight: config.EVALUATIONS_IN_FLIGHT,
    checkpointRetention: { keepLast: config.CHECKPOINT_KEEP_LAST, keepEpochs: parseKeepEpochs(config.CHECKPOINT_KEEP_EPOCHS) },
    evaluator: remote?.evaluator,
    bus,
    logger,
  });
  shutdownOnSignals(async () => {
    await service.shutdown();
    remote?.close();
    await bus.close();
  }, logger);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
