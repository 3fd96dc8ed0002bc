// Process entry: env → a NATS bus → startDashboard. Exits 0 on SIGTERM/SIGINT after closing cleanly.
import { z } from 'zod';
import { connectNatsBus } from '@conjugate/bus';
import { connectTrainingService } from '@conjugate/clients';
import { createLogger, envInt, envLogLevel, envOptionalString, envString, loadConfig, shutdownOnSignals } from '@conjugate/service-kit';
import { dashboardAuthFromEnv } from './auth';
import { DEFAULT_FARO_LIMITS, startDashboard } from './server';

const config = loadConfig(
  z.object({
    HOST: envString('127.0.0.1'),
    PORT: envInt(8080, 0, 65535),
    NATS_URL: envString('nats://127.0.0.1:4222'),
    /** Where the paper's figures of a run are drawn from; unset = no figures (the live charts still work). */
    TRAINING_SERVICE_ADDRESS: envOptionalString(),
    /** Grafana Faro collector (e.g. an Alloy faro receiver); unset = this server's /faro/collect. */
    FARO_URL: envOptionalString(),
    LOG_LEVEL: envLogLevel(),
    /** The built-in Faro receiver: max payload bytes, payloads per minute per client address. */
    FARO_MAX_BODY_BYTES: envInt(DEFAULT_FARO_LIMITS.maxBodyBytes, 1024, 16 * 1024 * 1024),
    FARO_RATE_PER_MINUTE: envInt(DEFAULT_FARO_LIMITS.perMinute, 1, 1_000_000),
  }),
);

async function main() {
  const logger = createLogger('dashboard', { level: config.LOG_LEVEL });
  // waitOnFirstConnect: start even when NATS comes up after us (compose, Kubernetes).
  const bus = await connectNatsBus({ url: config.NATS_URL, name: 'dashboard', waitOnFirstConnect: true });
  const training = config.TRAINING_SERVICE_ADDRESS ? connectTrainingService(config.TRAINING_SERVICE_ADDRESS) : undefined;
  const dashboard = await startDashboard({
    bus, training, host: config.HOST, port: config.PORT, faroUrl: config.FARO_URL, logger,
    // DASHBOARD_TOKEN(_FILE), DASHBOARD_USER + DASHBOARD_PASSWORD(_FILE) or DASHBOARD_TRUST_PROXY_HEADER (auth.ts).
    auth: dashboardAuthFromEnv(),
    faroLimits: { maxBodyBytes: config.FARO_MAX_BODY_BYTES, perMinute: config.FARO_RATE_PER_MINUTE },
  });
  shutdownOnSignals(async () => {
    await dashboard.close();
    training?.close();
    await bus.close();
  }, logger);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
