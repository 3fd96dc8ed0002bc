// The attack-service as a process: configuration from the environment, stops on SIGTERM/SIGINT.
import { createLogger, envInt, envOptionalString, grpcServiceEnv, grpcServiceOptionsFromEnv, loadConfig, shutdownOnSignals } from '@conjugate/service-kit';
import { startAttackService } from './attack-service';

async function main() {
  const config = loadConfig(
    grpcServiceEnv({ port: 50053, metricsPort: 9466 }).extend({
      /** host:port of the data-service (EvaluateRobustness). */
      DATA_SERVICE_ADDRESS: envOptionalString(),
      /** host:port of the training-service (models by reference). */
      TRAINING_SERVICE_ADDRESS: envOptionalString(),
      MAX_CACHED_MODELS: envInt(4, 1, 1000),
    }),
  );
  const logger = createLogger('attack-service', { level: config.LOG_LEVEL });
  const service = await startAttackService({
    ...grpcServiceOptionsFromEnv(config),
    dataServiceAddress: config.DATA_SERVICE_ADDRESS,
    trainingServiceAddress: config.TRAINING_SERVICE_ADDRESS,
    maxCachedModels: config.MAX_CACHED_MODELS,
    logger,
  });
  shutdownOnSignals(() => service.shutdown(), logger);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
