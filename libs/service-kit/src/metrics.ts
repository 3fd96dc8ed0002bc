import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What tf.memory() reports (service-kit does not import TensorFlow.js: the service passes it in). */
export interface TensorMemory {
  numTensors: number;
  numBytes: number;
}

/**
 * Request counts and durations per method, in a registry of the service's own (not prom-client's
 * global one): the embedded mode runs several services in one process.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly started: Counter<'grpc_service' | 'grpc_method'>;
  private readonly handled: Counter<'grpc_service' | 'grpc_method' | 'grpc_code'>;
  private readonly seconds: Histogram<'grpc_service' | 'grpc_method' | 'grpc_code'>;
  private readonly sent: Counter<'grpc_service' | 'grpc_method'>;

  constructor(serviceName: string, tensorMemory?: () => TensorMemory) {
    this.registry.setDefaultLabels({ app: serviceName });
    collectDefaultMetrics({ register: this.registry });
    if (tensorMemory) registerTensorMemoryGauges(this.registry, tensorMemory);
    this.started = new Counter({
      name: 'grpc_server_started_total',
      help: 'RPCs started on the server',
      labelNames: ['grpc_service', 'grpc_method'],
      registers: [this.registry],
    });
    this.handled = new Counter({
      name: 'grpc_server_handled_total',
      help: 'RPCs completed on the server, by status code',
      labelNames: ['grpc_service', 'grpc_method', 'grpc_code'],
      registers: [this.registry],
    });
    this.seconds = new Histogram({
      name: 'grpc_server_handling_seconds',
      help: 'Time from receiving an RPC to its final status',
      labelNames: ['grpc_service', 'grpc_method', 'grpc_code'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300, 1800],
      registers: [this.registry],
    });
    this.sent = new Counter({
      name: 'grpc_server_msg_sent_total',
      help: 'Stream messages the server handed to the transport (a slow client holds this back)',
      labelNames: ['grpc_service', 'grpc_method'],
      registers: [this.registry],
    });
  }

  /** Counts one stream message accepted by the transport. */
  messageSent(service: string, method: string): void {
    this.sent.inc({ grpc_service: service, grpc_method: method });
  }

  /** Call when an RPC starts; call the returned function with its status code name when it ends. */
  startCall(service: string, method: string): (codeName: string) => void {
    this.started.inc({ grpc_service: service, grpc_method: method });
    const stopTimer = this.seconds.startTimer({ grpc_service: service, grpc_method: method });
    return (codeName) => {
      this.handled.inc({ grpc_service: service, grpc_method: method, grpc_code: codeName });
      stopTimer({ grpc_code: codeName });
    };
  }
}

/**
 * Live tensors and their bytes, read at scrape time: a request that leaks tensors shows as a rising line.
 * Process-wide (one TensorFlow.js engine per process), so in the embedded mode every service reports the same.
 */
function registerTensorMemoryGauges(registry: Registry, tensorMemory: () => TensorMemory): void {
  new Gauge({
    name: 'conjugate_tfjs_tensors',
    help: 'Tensors alive in the process (tf.memory().numTensors)',
    registers: [registry],
    collect() {
      this.set(tensorMemory().numTensors);
    },
  });
  new Gauge({
    name: 'conjugate_tfjs_bytes',
    help: 'Bytes held by the tensors alive in the process (tf.memory().numBytes)',
    registers: [registry],
    collect() {
      this.set(tensorMemory().numBytes);
    },
  });
}

/** Serves GET /metrics in the Prometheus text format. Port 0 picks a free port. */
export async function serveMetrics(registry: Registry, port: number, host: string): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${error.message}\n`),
    );
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
