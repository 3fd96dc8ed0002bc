// A service app started as its own process (as in a pod), on free loopback ports, with its
// Prometheus endpoint so a test can see which replica served what.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { checkHealth } from '@conjugate/service-kit';

const repoRoot = resolve(__dirname, '../../..');
const tsxCli = require.resolve('tsx/cli', { paths: [repoRoot] });

export interface ServiceProcess {
  app: string;
  address: string;
  metricsPort: number;
  /** Output so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

async function waitServing(address: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}:\n${output()}`);
    try {
      if ((await checkHealth(address, '', 1_000)) === 'SERVING') return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`not SERVING after ${timeoutMs} ms:\n${output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Starts apps/<app>/src/main.ts with tsx and waits until its gRPC health says SERVING. */
export async function startServiceProcess(app: string, env: Record<string, string> = {}, timeoutMs = 90_000): Promise<ServiceProcess> {
  const port = await freePort();
  const metricsPort = await freePort();
  const child = spawn(process.execPath, [tsxCli, `apps/${app}/src/main.ts`], {
    cwd: repoRoot,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), METRICS_PORT: String(metricsPort), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const address = `127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        done();
      });
      child.kill('SIGTERM');
    });
  try {
    await waitServing(address, child, () => log, timeoutMs);
  } catch (error) {
    await stop();
    throw new Error(`${app}: ${(error as Error).message}`);
  }
  return { app, address, metricsPort, output: () => log, stop };
}

/** Calls of `method` this replica completed with status OK, from its Prometheus endpoint. */
export async function handledCalls(service: ServiceProcess, method: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${service.metricsPort}/metrics`);
  const text = await response.text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('grpc_server_handled_total{') && line.includes(`grpc_method="${method}"`) && line.includes('grpc_code="OK"')) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}
