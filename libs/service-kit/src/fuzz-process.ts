import { fuzzService, type FuzzOutcome } from './fuzz-requests';
import { settledMemory, type SettledMemory } from './process-memory';
import { checkHealth } from './probes';
import type { ServiceProcess } from './service-process';

export interface ProcessFuzzOutcome extends FuzzOutcome {
  /** Calls made in the measured pass. */
  calls: number;
  /** The service's health after the fuzz. */
  health: string;
  /** After a warm-up pass of the same kind of requests (another seed), and after the measured pass. */
  memoryBefore: SettledMemory;
  memoryAfter: SettledMemory;
}

/**
 * Fuzzes a service running as its own process (started with METRICS_PORT=0): a warm-up pass of
 * `warmUpPerMethod` hostile requests per method lets its heaps grow to their working size, then
 * `perMethod` per method are counted; memory is read when no call is in flight before and after.
 */
export async function fuzzServiceProcess(service: ServiceProcess, serviceName: string, perMethod: number, seed: string, options: { warmUpPerMethod?: number; deadlineMs?: number } = {}): Promise<ProcessFuzzOutcome> {
  await fuzzService(service.address, serviceName, options.warmUpPerMethod ?? 20, `${seed}/warm-up`, options.deadlineMs);
  const memoryBefore = await settledMemory(service);
  const outcome = await fuzzService(service.address, serviceName, perMethod, seed, options.deadlineMs);
  const memoryAfter = await settledMemory(service);
  const health = await checkHealth(service.address).catch((error: Error) => `unreachable: ${error.message}`);
  return { ...outcome, calls: Object.values(outcome.codes).reduce((a, b) => a + b, 0), health, memoryBefore, memoryAfter };
}
