// The attack-service as a process: configuration from the environment, stops on SIGTERM/SIGINT.
import { modelServicePeerEnv, modelServicePeerOptionsFromEnv } from '@conjugate/clients';
import { createLogger, grpcServiceEnv, grpcServiceOptionsFromEnv, loadConfig, shutdownOnSignals } from '@conjugate/service-kit';
import { startAttackService } from './attack-service';

async function main() {
  const config = loadConfig(grpcServiceEnv({ port: 50053, metricsPort: 9466 }).extend(modelServicePeerEnv));
  const logger = createLogger('attack-service', { level: config.LOG_LEVEL });
  const service = await startAttackService({ ...grpcServiceOptionsFromEnv(config), ...modelServicePeerOptionsFromEnv(config), logger });
  shutdownOnSignals(() => service.shutdown(), logger);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
