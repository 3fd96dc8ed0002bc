import { initBackend } from '@conjugate/backend';
import { checkHealth, createLogger, fuzzService, type GrpcServiceHandle } from '@conjugate/service-kit';
import { startUncertaintyService } from './uncertainty-service';

// Seeded, bounded fuzz (issue 19): hostile requests generated from the contract, and random bytes.
let service: GrpcServiceHandle;
beforeAll(async () => {
  await initBackend();
  service = await startUncertaintyService({ port: 0, host: '127.0.0.1', logger: createLogger('uncertainty-fuzz', { level: 'silent' }) });
});
afterAll(() => service.shutdown(0));

it('answers 300 hostile requests without INTERNAL and stays healthy', async () => {
  const outcome = await fuzzService(service.address, 'conjugate.v1.UncertaintyService', 150, 'issue-19');
  expect(outcome.unexpected).toEqual([]);
  expect(Object.values(outcome.codes).reduce((a, b) => a + b, 0)).toBe(300);
  expect(outcome.codes.INVALID_ARGUMENT).toBeGreaterThan(0);
  expect(await checkHealth(service.address)).toBe('SERVING');
}, 120_000);
