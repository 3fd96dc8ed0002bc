import { TrainingServiceService } from '@conjugate/proto';
import { fuzzServiceProcess, startServiceProcess, type ServiceProcess } from '@conjugate/service-kit';
import { tempDir } from './test-support';

// Seeded, bounded fuzz (issue 19) of the service as its own process: hostile requests generated from the
// contract, and random bytes (which are INVALID_ARGUMENT too, so no INTERNAL at all is allowed).
// The data-service address is unreachable, so a run the fuzz manages to start fails at once.
let service: ServiceProcess;
let runsDir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  runsDir = await tempDir('conjugate-training-fuzz-');
  service = await startServiceProcess('training-service', { METRICS_PORT: '0', DATA_SERVICE_ADDRESS: '127.0.0.1:1', RUNS_DIR: runsDir.path });
}, 90_000);
afterAll(async () => {
  await service?.stop();
  await runsDir?.remove();
});

it('answers 50 hostile requests per method without INTERNAL, stays healthy, and its memory stays flat', async () => {
  const outcome = await fuzzServiceProcess(service, 'conjugate.v1.TrainingService', 50, 'issue-19', { warmUpPerMethod: 10, deadlineMs: 2000 });
  expect(outcome.unexpected).toEqual([]);
  expect(outcome.calls).toBe(50 * Object.keys(TrainingServiceService).length);
  expect(outcome.codes.INVALID_ARGUMENT).toBeGreaterThan(0);
  expect(outcome.health).toBe('SERVING');
  expect(outcome.memoryAfter.tensors).toBe(outcome.memoryBefore.tensors);
  // 10 %: V8's heap alone wanders by that much between collections, so this catches gross retention only
  // (over ~50 KB kept per request); the live-tensor count above is exact.
  expect(outcome.memoryAfter.residentKb).toBeLessThanOrEqual(outcome.memoryBefore.residentKb * 1.1);
}, 180_000);
