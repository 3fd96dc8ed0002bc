/**
 * The Poisson bootstrap: in resample r, point p appears c ~ Poisson(1) times, with c a fixed function of
 * (seed, r, p). Because a resample is defined point by point (not as n draws over the whole set), the
 * resample sums of disjoint shards add up to those of one pass, and the result does not depend on the
 * order of the points.
 */

/** 32-bit finaliser of MurmurHash3: a well-mixed hash of one integer. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** P(C ≤ k) for C ~ Poisson(1), k = 0, 1, …, until it rounds to 1 in float64. */
const POISSON1_CDF: number[] = (() => {
  const cdf: number[] = [];
  let term = Math.exp(-1);
  let sum = 0;
  for (let k = 0; sum < 1 && k < 30; k++) {
    sum += term;
    cdf.push(sum);
    term /= k + 1;
  }
  return cdf;
})();

/** The multiplicity of point `pointId` in resample `resample` (Poisson(1), seeded). */
export function poissonCount(seed: number, resample: number, pointId: number): number {
  const h = mix((mix((mix(seed | 0) + Math.imul(resample, 0x9e3779b9)) | 0) + Math.imul(pointId, 0x7feb352d)) | 0);
  const u = (h + 0.5) / 4294967296;
  let k = 0;
  while (k < POISSON1_CDF.length - 1 && u > POISSON1_CDF[k]) k++;
  return k;
}

/** Counts [R, n] (row-major) of the given points in resamples first … first + R − 1. */
export function poissonCounts(seed: number, resamples: number, pointIds: ArrayLike<number>, first = 0): Float32Array {
  const n = pointIds.length;
  const counts = new Float32Array(resamples * n);
  for (let r = 0; r < resamples; r++) {
    for (let j = 0; j < n; j++) counts[r * n + j] = poissonCount(seed, first + r, pointIds[j]);
  }
  return counts;
}

/**
 * SE_j = sample std of component j over the resamples where it is finite (NaN when fewer than 2 are).
 * `draws[r][j]` is statistic j of resample r.
 */
export function resampleStandardErrors(draws: ArrayLike<number>[]): Float64Array {
  const width = draws.length > 0 ? draws[0].length : 0;
  const errors = new Float64Array(width);
  for (let j = 0; j < width; j++) {
    let count = 0;
    let sum = 0;
    for (const d of draws) if (Number.isFinite(d[j])) { count++; sum += d[j]; }
    if (count < 2) {
      errors[j] = NaN;
      continue;
    }
    const mean = sum / count;
    let squares = 0;
    for (const d of draws) if (Number.isFinite(d[j])) squares += (d[j] - mean) ** 2;
    errors[j] = Math.sqrt(squares / (count - 1));
  }
  return errors;
}
