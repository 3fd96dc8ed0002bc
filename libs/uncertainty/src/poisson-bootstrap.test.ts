import { poissonCount, poissonCounts, resampleStandardErrors } from './poisson-bootstrap';

describe('Poisson bootstrap', () => {
  it('draws Poisson(1) multiplicities: mean 1, variance 1, P(0) = e⁻¹', () => {
    const counts = poissonCounts(7, 200, Array.from({ length: 1000 }, (_, i) => i));
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    const variance = counts.reduce((a, b) => a + (b - mean) ** 2, 0) / counts.length;
    const zeros = counts.filter((c) => c === 0).length / counts.length;
    // 200 000 draws: SE of the mean ≈ 0.0022, of P(0) ≈ 0.0011.
    expect(Math.abs(mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    expect(Math.abs(zeros - Math.exp(-1))).toBeLessThan(0.005);
  });

  it('defines a count by (seed, resample, point) alone: shards and slices give the same counts as one pass', () => {
    const ids = [5, 17, 3, 900, 42];
    const whole = poissonCounts(1, 6, ids);
    const shard = poissonCounts(1, 6, [900, 42]);
    const slice = poissonCounts(1, 2, ids, 4);
    for (let r = 0; r < 6; r++) {
      expect(shard[r * 2]).toBe(whole[r * 5 + 3]);
      expect(shard[r * 2 + 1]).toBe(whole[r * 5 + 4]);
    }
    expect(Array.from(slice)).toEqual(Array.from(whole.subarray(20)));
    expect(poissonCount(1, 3, 17)).toBe(whole[3 * 5 + 1]);
  });

  it('differs between seeds, resamples and points', () => {
    const a = poissonCounts(1, 50, [0, 1, 2, 3]);
    const b = poissonCounts(2, 50, [0, 1, 2, 3]);
    expect(Array.from(a)).not.toEqual(Array.from(b));
    const column = (counts: Float32Array, j: number) => Array.from({ length: 50 }, (_, r) => counts[r * 4 + j]);
    expect(column(a, 0)).not.toEqual(column(a, 1));
  });

  it('standard errors are the sample std over finite draws, NaN with fewer than two', () => {
    const errors = resampleStandardErrors([[1, NaN, 5], [3, 2, NaN], [5, NaN, NaN]]);
    expect(errors[0]).toBeCloseTo(2, 12);
    expect(errors[1]).toBeNaN();
    expect(errors[2]).toBeNaN();
  });
});
