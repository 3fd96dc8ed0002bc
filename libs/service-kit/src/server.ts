import { Server, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import type { Logger } from 'pino';
import { DEFAULT_MAX_IN_FLIGHT_CALLS, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_QUEUED_STREAM_BYTES } from './config';
import { resourceExhausted } from './errors';
import {
  adaptServerStreaming,
  adaptUnary,
  splitPath,
  type CallHooks,
  type ServerStreamingHandler,
  type ServiceHandlers,
  type UnaryHandler,
} from './handlers';
import { createLogger } from './logger';
import { serveMetrics, ServiceMetrics, type TensorMemory } from './metrics';
import { findProtoDir, loadContractDescriptors } from './protoDir';
import { withTolerantDecoding } from './request-decoding';
import { serverCredentials, type ServerTlsOptions } from './tls-credentials';

/** A ts-proto service definition with its implementation (type it as `ServiceHandlers<typeof XService>`). */
export interface ServiceRegistration<D = ServiceDefinition> {
  definition: D;
  implementation: ServiceHandlers<D>;
}

export interface GrpcServiceOptions {
  /** Used in logs and metrics, e.g. "data-service". */
  name: string;
  /** 0 picks a free port; the bound one is returned. */
  port: number;
  /** Default 0.0.0.0 (all interfaces). */
  host?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each registration carries its own definition type
  services: ServiceRegistration<any>[];
  /** Max bytes per message, both directions. Default 64 MiB. */
  maxMessageBytes?: number;
  /**
   * Bytes one stream may queue that the client has not taken (of messages written with their size):
   * bounds a stalled stream's memory. Default 16 MiB; a single larger message still goes.
   */
  maxQueuedStreamBytes?: number;
  /** Prometheus /metrics port (0 = free port). Undefined: no metrics endpoint. */
  metricsPort?: number;
  /** Serve gRPC server reflection (needs proto/; see findProtoDir). Default true. */
  reflection?: boolean;
  protoDir?: string;
  /** Calls served at once (streams included; health checks not counted); more get RESOURCE_EXHAUSTED. Default 64. */
  maxInFlightCalls?: number;
  /** How long shutdown() lets in-flight calls finish before cancelling them. Default 10 s. */
  shutdownGraceMs?: number;
  logger?: Logger;
  /** TLS (mutual TLS with a client CA) from watched PEM files; undefined serves plaintext. See tls-credentials.ts. */
  tls?: ServerTlsOptions;
  /** The process's tf.memory(), exported as gauges on /metrics (services that compute with TensorFlow.js pass it). */
  tensorMemory?: () => TensorMemory;
  /** Frees what the service holds (its clients, cached models): called once it has shut down, or when it fails to start. */
  release?: () => void;
}

/** What a service's own start options share with every service (all but its name, registrations, release and tensor memory), passed on to startGrpcService. */
export type ServiceStartOptions = Omit<GrpcServiceOptions, 'name' | 'services' | 'release' | 'tensorMemory'>;

export interface GrpcServiceHandle {
  port: number;
  /** host:port to dial (127.0.0.1 when bound to all interfaces). */
  address: string;
  server: Server;
  metricsPort?: number;
  metrics: ServiceMetrics;
  logger: Logger;
  /** Sets a service's health status ("" is the whole server). */
  setServingStatus(service: string, servingStatus: ServingStatus): void;
  /**
   * Stops taking calls (health NOT_SERVING), lets in-flight calls finish for up to `graceMs`,
   * then cancels the rest. Idempotent.
   */
  shutdown(graceMs?: number): Promise<void>;
}

/** Starts a gRPC server with health checking, reflection, error mapping and metrics. */
export async function startGrpcService(options: GrpcServiceOptions): Promise<GrpcServiceHandle> {
  try {
    return await serve(options);
  } catch (error) {
    options.release?.();
    throw error;
  }
}

async function serve(options: GrpcServiceOptions): Promise<GrpcServiceHandle> {
  const logger = options.logger ?? createLogger(options.name);
  const host = options.host ?? '0.0.0.0';
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const metrics = new ServiceMetrics(options.name, options.tensorMemory);
  const inFlight = new Set<() => void>();
  const maxInFlightCalls = options.maxInFlightCalls ?? DEFAULT_MAX_IN_FLIGHT_CALLS;
  const hooks: CallHooks = {
    logger,
    startCall: (service, method) => metrics.startCall(service, method),
    messageSent: (service, method) => metrics.messageSent(service, method),
    maxQueuedStreamBytes: options.maxQueuedStreamBytes ?? DEFAULT_MAX_QUEUED_STREAM_BYTES,
    track(abort) {
      inFlight.add(abort);
      return () => inFlight.delete(abort);
    },
    admit(methodPath) {
      if (inFlight.size > maxInFlightCalls) {
        throw resourceExhausted(`${methodPath}: ${inFlight.size - 1} calls are in flight, the limit MAX_IN_FLIGHT_CALLS=${maxInFlightCalls}; retry later`);
      }
    },
  };

  const server = new Server({
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
  });
  const serviceNames: string[] = [];
  for (const { definition, implementation } of options.services) {
    const methods = definition as ServiceDefinition;
    const adapted: UntypedServiceImplementation = {};
    for (const [key, method] of Object.entries(methods)) {
      const handler = (implementation as Record<string, unknown>)[key];
      if (typeof handler !== 'function') throw new Error(`${options.name}: no handler for ${method.path}`);
      if (method.requestStream) throw new Error(`${options.name}: ${method.path} is client-streaming, which service-kit does not support`);
      adapted[key] = method.responseStream
        ? adaptServerStreaming(method, handler as ServerStreamingHandler<unknown, unknown>, hooks)
        : adaptUnary(method, handler as UnaryHandler<unknown, unknown>, hooks);
      const [serviceName] = splitPath(method.path);
      if (!serviceNames.includes(serviceName)) serviceNames.push(serviceName);
    }
    server.addService(withTolerantDecoding(methods, options.protoDir), adapted);
  }

  const health = new HealthImplementation(Object.fromEntries([['', 'SERVING'], ...serviceNames.map((s) => [s, 'SERVING'])]));
  health.addToServer(server);
  if (options.reflection ?? true) {
    // Only what this server serves: the contract holds every service.
    const served = [...serviceNames, 'grpc.health.v1.Health'];
    new ReflectionService(loadContractDescriptors(findProtoDir(options.protoDir)), { services: served }).addToServer(server);
  }

  const credentials = await serverCredentials(options.tls);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${options.port}`, credentials, (error, boundPort) =>
      error ? reject(new Error(`${options.name}: cannot listen on ${host}:${options.port}: ${error.message}`)) : resolve(boundPort),
    ),
  );
  let metricsServer: Awaited<ReturnType<typeof serveMetrics>> | undefined;
  try {
    metricsServer = options.metricsPort === undefined ? undefined : await serveMetrics(metrics.registry, options.metricsPort, host);
  } catch (error) {
    server.forceShutdown();
    throw new Error(`${options.name}: cannot serve metrics on ${host}:${options.metricsPort}: ${(error as Error).message}`);
  }
  const address = `${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;
  const tls = options.tls ? (options.tls.clientCaFile ? 'mutual' : 'server') : 'off';
  logger.info({ address, metricsPort: metricsServer?.port, services: serviceNames, maxMessageBytes, tls }, `${options.name} listening`);

  let stopping: Promise<void> | undefined;
  const shutdown = (graceMs = options.shutdownGraceMs ?? 10_000) => {
    stopping ??= (async () => {
      logger.info({ inFlight: inFlight.size, graceMs }, `${options.name} shutting down`);
      for (const name of ['', ...serviceNames]) health.setStatus(name, 'NOT_SERVING');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          if (inFlight.size > 0) logger.warn({ inFlight: inFlight.size }, `${options.name}: grace period over, cancelling in-flight calls`);
          for (const abort of inFlight) abort();
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      await metricsServer?.close();
      options.release?.();
      logger.info(`${options.name} stopped`);
    })();
    return stopping;
  };

  return {
    port,
    address,
    server,
    metricsPort: metricsServer?.port,
    metrics,
    logger,
    setServingStatus: (service, servingStatus) => health.setStatus(service, servingStatus),
    shutdown,
  };
}
