import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

// What a service process holds, read from outside as an operator would: its resident set from
// /proc/<pid>/status and its live tensors and in-flight calls from its Prometheus /metrics.

/** Resident set size of process `pid` in kB, from /proc/<pid>/status (Linux). */
export function residentKb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  if (!line) throw new Error(`/proc/${pid}/status has no VmRSS line (a zombie?)`);
  return Number(line.split(/\s+/)[1]);
}

/** Sum of the samples of `name` on the /metrics page at `metricsPort` whose labels include each of `labels`. */
export async function scrapeMetric(metricsPort: number, name: string, ...labels: string[]): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return text.split('\n')
    .filter((line) => (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && labels.every((label) => line.includes(label)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

export interface SettledMemory {
  residentKb: number;
  /** tf.memory().numTensors; undefined for a service without TensorFlow.js. */
  tensors?: number;
}

/**
 * Waits (up to `waitMs`) until no call is in flight on the service — every started call handled, so
 * handlers that outlived their client's deadline have stopped — then reads its memory.
 */
export async function settledMemory(service: { process: { pid?: number }; metricsPort?: number }, waitMs = 30_000): Promise<SettledMemory> {
  const port = service.metricsPort;
  if (port === undefined) throw new Error('settledMemory: start the service with METRICS_PORT=0');
  const inFlight = async () => (await scrapeMetric(port, 'grpc_server_started_total')) - (await scrapeMetric(port, 'grpc_server_handled_total'));
  for (const end = Date.now() + waitMs; (await inFlight()) > 0; await sleep(100)) {
    if (Date.now() > end) throw new Error(`settledMemory: ${await inFlight()} calls still in flight after ${waitMs} ms`);
  }
  const page = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const tensors = page.includes('conjugate_tfjs_tensors') ? await scrapeMetric(port, 'conjugate_tfjs_tensors') : undefined;
  return { residentKb: residentKb(service.process.pid!), tensors };
}
