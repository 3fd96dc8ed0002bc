/** Accept exactly one input shape (the architectures of the paper are built for one dataset shape). */
export function requireShape(expected: [number, number, number]) {
  return (shape: [number, number, number]): string | undefined =>
    shape.every((d, i) => d === expected[i]) ? undefined : `must be [${expected.join(', ')}], got [${shape.join(', ')}]`;
}

/** Accept any image at least `min` pixels high and wide, with 1 to 4 channels. */
export function requireAtLeast(min: number) {
  return ([h, w, c]: [number, number, number]): string | undefined =>
    h >= min && w >= min && c >= 1 && c <= 4 ? undefined : `must be at least ${min}×${min} with 1–4 channels, got [${h}, ${w}, ${c}]`;
}
