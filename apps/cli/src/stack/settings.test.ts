import { evaluationProcesses, evaluationsInFlight } from './settings';

test('evaluation children: one of each per core on a multi-core machine, none on one core, or as set', () => {
  expect(evaluationProcesses({}, 2)).toBe(2);
  expect(evaluationProcesses({}, 1)).toBe(0);
  expect(evaluationProcesses({ CONJUGATE_EVALUATION_PROCESSES: '3' }, 2)).toBe(3);
  expect(evaluationProcesses({ CONJUGATE_EVALUATION_PROCESSES: 'false' }, 4)).toBe(0);
  expect(() => evaluationProcesses({ CONJUGATE_EVALUATION_PROCESSES: 'lots' }, 2)).toThrow('CONJUGATE_EVALUATION_PROCESSES: an integer in [0, 64], got "lots"');
});

test('EVALUATIONS_IN_FLIGHT reaches the embedded training-service as the process reads it', () => {
  expect(evaluationsInFlight({})).toBeUndefined();
  expect(evaluationsInFlight({ EVALUATIONS_IN_FLIGHT: '0' })).toBe(0);
  expect(() => evaluationsInFlight({ EVALUATIONS_IN_FLIGHT: '17' })).toThrow('EVALUATIONS_IN_FLIGHT: an integer in [0, 16], got "17"');
});
