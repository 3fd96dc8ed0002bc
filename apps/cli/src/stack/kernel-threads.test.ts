import { kernelThreadsPlan } from './kernel-threads';

const threads = (n: number) => ({ CONJUGATE_KERNEL_THREADS: String(n) });

test('overlapping: training keeps one core, the replicas share the others, one thread at least each', () => {
  expect(kernelThreadsPlan(2, false, {}, 2)).toEqual({ training: threads(1), evaluation: threads(1) });
  expect(kernelThreadsPlan(1, false, {}, 2)).toEqual({ training: threads(1), evaluation: threads(1) });
  expect(kernelThreadsPlan(1, false, {}, 8)).toEqual({ training: threads(1), evaluation: threads(7) });
  expect(kernelThreadsPlan(3, false, {}, 8)).toEqual({ training: threads(1), evaluation: threads(2) });
  expect(kernelThreadsPlan(2, false, {}, 1)).toEqual({ training: threads(1), evaluation: threads(1) });
});

test('in turn: each takes every core in its turn (at most 8), the replicas share them out', () => {
  expect(kernelThreadsPlan(2, true, {}, 2)).toEqual({ training: threads(2), evaluation: threads(1) });
  expect(kernelThreadsPlan(1, true, {}, 2)).toEqual({ training: threads(2), evaluation: threads(2) });
  expect(kernelThreadsPlan(1, true, {}, 64)).toEqual({ training: threads(8), evaluation: threads(8) });
});

test("the user's own setting is left to reach every process", () => {
  expect(kernelThreadsPlan(2, true, { CONJUGATE_KERNEL_THREADS: '4' }, 2)).toEqual({ training: {}, evaluation: {} });
});
