/**
 * Delete-one-group jackknife of a vector of statistics: `estimate(groups)` is evaluated on all B groups
 * and on each set with one group left out; SE_j² = (n−1)/n · Σ_b (θ_(b)j − θ̄_j)² over the n leave-one-out
 * sets that had an estimate (undefined = no weight left). Needs n ≥ 2, else the errors are NaN.
 */
export function jackknife(
  groupCount: number,
  estimate: (groups: number[]) => ArrayLike<number> | undefined,
): { values: Float64Array; standardErrors: Float64Array } | undefined {
  const all = Array.from({ length: groupCount }, (_, b) => b);
  const full = estimate(all);
  if (full === undefined) return undefined;
  const values = Float64Array.from(full);
  const leaveOneOut: ArrayLike<number>[] = [];
  for (let b = 0; b < groupCount; b++) {
    const theta = estimate(all.filter((g) => g !== b));
    if (theta !== undefined) leaveOneOut.push(theta);
  }
  const n = leaveOneOut.length;
  const standardErrors = new Float64Array(values.length).fill(NaN);
  if (n >= 2) {
    for (let j = 0; j < values.length; j++) {
      let mean = 0;
      for (const theta of leaveOneOut) mean += theta[j];
      mean /= n;
      let ss = 0;
      for (const theta of leaveOneOut) ss += (theta[j] - mean) ** 2;
      standardErrors[j] = Math.sqrt(((n - 1) / n) * ss);
    }
  }
  return { values, standardErrors };
}
