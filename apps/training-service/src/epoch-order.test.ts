import { epochShuffleSeed, seededPermutation } from './epoch-order';

it('a seeded permutation is a permutation, reproducible, and changes with the seed', () => {
  const items = Array.from({ length: 100 }, (_, i) => i * 3);
  const a = seededPermutation(items, 1);
  expect([...a].sort((x, y) => x - y)).toEqual(items);
  expect(seededPermutation(items, 1)).toEqual(a);
  expect(seededPermutation(items, 2)).not.toEqual(a);
  expect(a).not.toEqual(items);
});

it('epoch seeds are fixed per (seed, epoch), non-negative and distinct', () => {
  const seeds = [0, 1, 2, 3].map((epoch) => epochShuffleSeed(42, epoch));
  expect(new Set(seeds).size).toBe(4);
  expect(seeds.every((s) => Number.isInteger(s) && s >= 0)).toBe(true);
  expect(epochShuffleSeed(42, 2)).toBe(seeds[2]);
  expect(epochShuffleSeed(43, 2)).not.toBe(seeds[2]);
});
