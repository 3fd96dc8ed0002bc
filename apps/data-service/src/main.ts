// The data-service as a process: configuration from the environment, stops on SIGTERM/SIGINT.
import { createLogger, envInt, envOptionalString, grpcServiceEnv, grpcServiceOptionsFromEnv, loadConfig, shutdownOnSignals } from '@conjugate/service-kit';
import { DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_OPEN_STREAMS, startDataService } from './data-service';

async function main() {
  const config = loadConfig(
    grpcServiceEnv({ port: 50051, metricsPort: 9464 }).extend({
      /** Largest batch_size a StreamBatches request may ask for. */
      MAX_BATCH_SIZE: envInt(DEFAULT_MAX_BATCH_SIZE, 1, 1_000_000),
      /** StreamBatches calls open at once; more are refused with RESOURCE_EXHAUSTED (bounds buffering across streams). */
      MAX_OPEN_STREAMS: envInt(DEFAULT_MAX_OPEN_STREAMS, 1, 10_000),
      /** Folder holding cifar-10-batches-bin/ and local dataset copies. */
      CONJUGATE_DATA_DIR: envOptionalString(),
      /** Older name for CONJUGATE_DATA_DIR (deploy manifests). */
      DATA_DIR: envOptionalString(),
    }),
  );
  const logger = createLogger('data-service', { level: config.LOG_LEVEL });
  const service = await startDataService({
    ...grpcServiceOptionsFromEnv(config),
    maxBatchSize: config.MAX_BATCH_SIZE,
    maxOpenStreams: config.MAX_OPEN_STREAMS,
    dataDir: config.CONJUGATE_DATA_DIR ?? config.DATA_DIR,
    logger,
  });
  shutdownOnSignals(() => service.shutdown(), logger);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
