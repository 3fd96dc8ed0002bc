import seedrandom from 'seedrandom';

// Resamples between yields to the event loop, so a service stays responsive (and cancellable) meanwhile.
const RESAMPLES_PER_SLICE = 10;

/**
 * Bootstrap standard errors over n members: `statistic(counts)` gets each resample as multiplicities
 * (n draws with replacement, seeded) and returns a vector; SE_j = sample std of component j over the
 * resamples where it is finite (NaN when fewer than 2 are).
 */
export async function bootstrapStandardErrors(
  memberCount: number,
  resamples: number,
  seed: number,
  statistic: (counts: Uint32Array) => ArrayLike<number>,
  signal?: AbortSignal,
): Promise<Float64Array> {
  const random = seedrandom.alea(`bootstrap:${seed}`);
  const draws: ArrayLike<number>[] = [];
  const counts = new Uint32Array(memberCount);
  for (let r = 0; r < resamples; r++) {
    if (r % RESAMPLES_PER_SLICE === RESAMPLES_PER_SLICE - 1) {
      await new Promise((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
    }
    counts.fill(0);
    for (let j = 0; j < memberCount; j++) counts[Math.floor(random() * memberCount)]++;
    draws.push(Array.from(statistic(counts)));
  }
  const width = draws.length > 0 ? draws[0].length : 0;
  const errors = new Float64Array(width);
  for (let j = 0; j < width; j++) {
    const values = draws.map((d) => d[j]).filter(Number.isFinite);
    if (values.length < 2) {
      errors[j] = NaN;
      continue;
    }
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    errors[j] = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
  }
  return errors;
}
