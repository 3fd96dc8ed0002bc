import { TrainingServiceService } from '@conjugate/proto';
import { checkHealth, createLogger, fuzzService } from '@conjugate/service-kit';
import { startTrainingService, type TrainingServiceHandle } from './training-service';
import { tempDir } from './test-support';

// Seeded, bounded fuzz (issue 19): hostile requests generated from the contract, and random bytes.
// The data-service address is unreachable, so a run the fuzz manages to start fails at once.
let service: TrainingServiceHandle;
let runsDir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  runsDir = await tempDir('conjugate-training-fuzz-');
  service = await startTrainingService({ port: 0, host: '127.0.0.1', reflection: false, dataServiceAddress: '127.0.0.1:1', runsDir: runsDir.path, logger: createLogger('training-fuzz', { level: 'silent' }) });
});
afterAll(async () => {
  await service.shutdown();
  await runsDir.remove();
});

it('answers 50 hostile requests per method without INTERNAL and stays healthy', async () => {
  const outcome = await fuzzService(service.address, 'conjugate.v1.TrainingService', 50, 'issue-19', 2000);
  expect(outcome.unexpected).toEqual([]);
  expect(Object.values(outcome.codes).reduce((a, b) => a + b, 0)).toBe(50 * Object.keys(TrainingServiceService).length);
  expect(outcome.codes.INVALID_ARGUMENT).toBeGreaterThan(0);
  expect(await checkHealth(service.address)).toBe('SERVING');
}, 120_000);
