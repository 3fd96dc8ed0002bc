import { planBatches, type BatchRequest } from './batch-plan';

const base: BatchRequest = { splitSize: 100, batchSize: 32, maxBatchSize: 64, offset: 0, limit: 0, indices: [], splitName: 'test' };

describe('planBatches', () => {
  it('serves the whole split in natural order, the last batch smaller', () => {
    const plan = planBatches(base);
    expect(plan.numBatches).toBe(4);
    expect(Array.from(plan.batch(0))).toEqual([...Array(32).keys()]);
    expect(Array.from(plan.batch(3))).toEqual([96, 97, 98, 99]);
  });

  it('windows a seeded order: consecutive windows tile the same shuffled epoch', () => {
    const whole = planBatches({ ...base, shuffleSeed: 5 }).order;
    const first = planBatches({ ...base, shuffleSeed: 5, offset: 0, limit: 60 }).order;
    const rest = planBatches({ ...base, shuffleSeed: 5, offset: 60, limit: 1000 }).order;
    expect([...first, ...rest]).toEqual([...whole]);
    expect(new Set(whole).size).toBe(100);
    expect([...planBatches({ ...base, shuffleSeed: 6 }).order]).not.toEqual([...whole]);
  });

  it('serves explicit indices in their order, repeats allowed, ignoring the window', () => {
    const plan = planBatches({ ...base, batchSize: 2, indices: [5, 0, 5], offset: 99, limit: 1, shuffleSeed: 1 });
    expect(Array.from(plan.order)).toEqual([5, 0, 5]);
    expect(plan.numBatches).toBe(2);
  });

  it.each([
    [{ batchSize: 0 }, 'batch_size: must be between 1 and 64, got 0'],
    [{ batchSize: -3 }, 'batch_size: must be between 1 and 64, got -3'],
    [{ batchSize: 65 }, 'batch_size: must be between 1 and 64, got 65'],
    [{ offset: 100 }, 'offset: 100 is beyond the test split of 100 images'],
    [{ offset: -1 }, 'offset: must be a non-negative integer, got -1'],
    [{ limit: -5 }, 'limit: must be a non-negative integer (0 = to the end), got -5'],
    [{ indices: [3, 100] }, 'indices[1]: 100 is outside the test split (0..99)'],
    [{ indices: [-1] }, 'indices[0]: -1 is outside the test split (0..99)'],
  ])('rejects %p as BAD_REQUEST naming the field', (change, message) => {
    expect(() => planBatches({ ...base, ...change })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST', message }));
  });
});
