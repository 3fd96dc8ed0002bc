import { z } from 'zod';
import { serverTlsFromEnv } from './tls-credentials';

/**
 * Parses `env` with a zod schema. Throws one error listing every bad or missing variable,
 * so a misconfigured pod fails at start with a message naming what to fix.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined> = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(env)';
    const value = issue.path.length === 1 ? env[String(issue.path[0])] : undefined;
    return `  ${name}: ${issue.message}${value === undefined ? '' : ` (got ${JSON.stringify(value)})`}`;
  });
  throw new Error(`Invalid configuration:\n${problems.join('\n')}`);
}

// Env vars are strings; an empty one means "not set" (so defaults apply), not 0.
const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);

/** An integer env var in [min, max], with a default when unset or empty. */
export function envInt(defaultValue: number, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
  return z.preprocess(unsetIfEmpty, z.coerce.number().int().min(min).max(max).default(defaultValue));
}

/** A string env var, with a default when unset or empty. */
export function envString(defaultValue: string) {
  return z.preprocess(unsetIfEmpty, z.string().default(defaultValue));
}

/** A string env var that may be missing: unset or empty gives undefined. */
export function envOptionalString() {
  return z.preprocess(unsetIfEmpty, z.string().optional());
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A pino log level (default info). */
export function envLogLevel(defaultValue: (typeof LOG_LEVELS)[number] = 'info') {
  return z.preprocess(unsetIfEmpty, z.enum(LOG_LEVELS).default(defaultValue));
}

/** A boolean env var: true/false/1/0/yes/no. */
export function envBool(defaultValue: boolean) {
  return z.preprocess(
    unsetIfEmpty,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(defaultValue ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1' || value === 'yes'),
  );
}

export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Calls one service serves at once (each holds memory for its request and work). */
export const DEFAULT_MAX_IN_FLIGHT_CALLS = 64;
/** What one stalled stream may hold besides the message in flight (see GrpcServiceOptions.maxQueuedStreamBytes). */
export const DEFAULT_MAX_QUEUED_STREAM_BYTES = 16 * 1024 * 1024;

/**
 * The env every gRPC service reads. Extend it with the service's own variables:
 * `loadConfig(grpcServiceEnv({ port: 50051, metricsPort: 9464 }).extend({ ... }))`.
 */
export function grpcServiceEnv(defaults: { port: number; metricsPort: number }) {
  return z.object({
    HOST: envString('0.0.0.0'),
    PORT: envInt(defaults.port, 0, 65535),
    /** -1 disables the Prometheus endpoint. */
    METRICS_PORT: envInt(defaults.metricsPort, -1, 65535),
    MAX_MESSAGE_BYTES: envInt(DEFAULT_MAX_MESSAGE_BYTES, 1024, 2 ** 31 - 1),
    SHUTDOWN_GRACE_MS: envInt(10_000, 0, 600_000),
    /** Calls served at once; beyond it RESOURCE_EXHAUSTED (health checks are always answered). */
    MAX_IN_FLIGHT_CALLS: envInt(DEFAULT_MAX_IN_FLIGHT_CALLS, 1, 100_000),
    LOG_LEVEL: envLogLevel(),
    CONJUGATE_PROTO_DIR: envOptionalString(),
    /** Serve TLS with this certificate and key (PEM, re-read when they change). */
    TLS_CERT_FILE: envOptionalString(),
    TLS_KEY_FILE: envOptionalString(),
    /** With TLS: require client certificates signed by this CA (mutual TLS). */
    TLS_CLIENT_CA_FILE: envOptionalString(),
    /** How often the TLS files are re-read (ms). */
    TLS_REFRESH_MS: envOptionalString(),
  });
}

export type GrpcServiceEnv = z.output<ReturnType<typeof grpcServiceEnv>>;

/** Maps the common env to `startGrpcService` options. */
export function grpcServiceOptionsFromEnv(config: GrpcServiceEnv) {
  return {
    host: config.HOST,
    port: config.PORT,
    metricsPort: config.METRICS_PORT < 0 ? undefined : config.METRICS_PORT,
    maxMessageBytes: config.MAX_MESSAGE_BYTES,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    maxInFlightCalls: config.MAX_IN_FLIGHT_CALLS,
    protoDir: config.CONJUGATE_PROTO_DIR,
    tls: serverTlsFromEnv({ TLS_CERT_FILE: config.TLS_CERT_FILE, TLS_KEY_FILE: config.TLS_KEY_FILE, TLS_CLIENT_CA_FILE: config.TLS_CLIENT_CA_FILE, TLS_REFRESH_MS: config.TLS_REFRESH_MS }),
  };
}
