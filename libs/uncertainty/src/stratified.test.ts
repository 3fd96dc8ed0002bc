import { stratifiedIndices } from './stratified';

describe('stratifiedIndices', () => {
  const labels = Array.from({ length: 1000 }, (_, i) => (i * 7) % 10);

  it('takes classes in turn, fixed by the seed', () => {
    const chosen = stratifiedIndices(labels, 100, 3);
    expect(chosen).toHaveLength(100);
    expect(new Set(chosen).size).toBe(100);
    const perClass = new Map<number, number>();
    for (const i of chosen) perClass.set(labels[i], (perClass.get(labels[i]) ?? 0) + 1);
    expect([...perClass.values()]).toEqual(Array(10).fill(10));
    expect(stratifiedIndices(labels, 100, 3)).toEqual(chosen);
    expect(stratifiedIndices(labels, 100, 4)).not.toEqual(chosen);
  });

  it('returns every index when asked for at least the split', () => {
    expect(stratifiedIndices([2, 1, 2], 5, 0)).toEqual([0, 1, 2]);
  });
});
