/** A value with its standard error; `missingReason` is set when the value is undefined (proto `Estimate`). */
export interface EstimateValue {
  value: number;
  standardError: number;
  missingReason: string;
}

export function estimateValue(value: number, standardError: number, missingReason = ''): EstimateValue {
  return { value, standardError, missingReason };
}

export function missingValue(reason: string): EstimateValue {
  return { value: NaN, standardError: NaN, missingReason: reason };
}

/** Mean ± standard error of the mean of a sample (SE NaN for fewer than 2 values). */
export function meanWithError(values: ArrayLike<number>): EstimateValue {
  const n = values.length;
  if (n === 0) return missingValue('no values');
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  if (n < 2) return estimateValue(mean, NaN);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  return estimateValue(mean, Math.sqrt(ss / (n - 1) / n));
}
