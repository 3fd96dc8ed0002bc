// The uncertainty-service as a process: configuration from the environment, stops on SIGTERM/SIGINT.
import { modelServicePeerEnv, modelServicePeerOptionsFromEnv } from '@conjugate/clients';
import { createLogger, grpcServiceEnv, grpcServiceOptionsFromEnv, loadConfig, shutdownOnSignals } from '@conjugate/service-kit';
import { startUncertaintyService } from './uncertainty-service';

async function main() {
  const config = loadConfig(grpcServiceEnv({ port: 50054, metricsPort: 9467 }).extend(modelServicePeerEnv));
  const logger = createLogger('uncertainty-service', { level: config.LOG_LEVEL });
  const service = await startUncertaintyService({ ...grpcServiceOptionsFromEnv(config), ...modelServicePeerOptionsFromEnv(config), logger });
  shutdownOnSignals(() => service.shutdown(), logger);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
