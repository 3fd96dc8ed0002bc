import { fuzzServiceProcess, startServiceProcess, type ServiceProcess } from '@conjugate/service-kit';

// Seeded, bounded fuzz (issue 19) of the service as its own process: hostile requests generated from the
// contract, and random bytes (which are INVALID_ARGUMENT too, so no INTERNAL at all is allowed).
let service: ServiceProcess;
beforeAll(async () => {
  service = await startServiceProcess('data-service', { METRICS_PORT: '0' });
}, 90_000);
afterAll(() => service?.stop());

it('answers 300 hostile requests without INTERNAL, stays healthy, and its memory stays flat', async () => {
  const outcome = await fuzzServiceProcess(service, 'conjugate.v1.DataService', 100, 'issue-19');
  expect(outcome.unexpected).toEqual([]);
  expect(outcome.calls).toBe(300);
  expect(outcome.codes.INVALID_ARGUMENT).toBeGreaterThan(0);
  expect(outcome.health).toBe('SERVING');
  // 10 %: V8's heap alone wanders by that much between collections, so this catches gross retention only
  // (over ~50 KB kept per request); this service holds no tensors.
  expect(outcome.memoryAfter.residentKb).toBeLessThanOrEqual(outcome.memoryBefore.residentKb * 1.1);
}, 180_000);
