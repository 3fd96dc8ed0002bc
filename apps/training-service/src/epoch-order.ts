import seedrandom from 'seedrandom';

/** The data-service shuffle seed of epoch `epoch` of a run: a fixed function of (run seed, epoch). */
export function epochShuffleSeed(runSeed: number, epoch: number): number {
  return seedrandom(`conjugate/run/${runSeed}/epoch/${epoch}`).int32() >>> 0;
}

/** A seeded Fisher–Yates permutation of `items` (a new array; the same seed gives the same order everywhere). */
export function seededPermutation<T>(items: readonly T[], seed: number): T[] {
  const random = seedrandom(String(seed));
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
