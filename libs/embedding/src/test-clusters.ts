/** Seeded Gaussian clusters in D dimensions, one per class: test data for the embedding (no tf needed). */
export function gaussianClusters(perClass: number, classes: number, dims: number, seed = 1): { rows: number[][]; labels: number[] } {
  let state = seed >>> 0;
  const uniform = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < perClass; i++) {
      rows.push(Array.from({ length: dims }, (_, d) => (d % classes === c ? 6 : 0) + normal()));
      labels.push(c);
    }
  }
  return { rows, labels };
}

/** A one-hot-ish softmax row: `confidence` on `label`, the rest spread evenly. */
export function softmaxRow(label: number, classes: number, confidence = 0.9): number[] {
  return Array.from({ length: classes }, (_, c) => (c === label ? confidence : (1 - confidence) / (classes - 1)));
}
