/** Axis-aligned box of a 2-D map: [xMin, xMax, yMin, yMax]. */
export type Bounds = [number, number, number, number];

/** Bounds of the points, widened by `margin` of each side's extent so the outer points are not on the edge. */
export function boundsOf(points: number[][], margin = 0.05): Bounds {
  let [xMin, xMax, yMin, yMax] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [x, y] of points) {
    xMin = Math.min(xMin, x); xMax = Math.max(xMax, x);
    yMin = Math.min(yMin, y); yMax = Math.max(yMax, y);
  }
  const padX = (xMax - xMin || 1) * margin;
  const padY = (yMax - yMin || 1) * margin;
  return [xMin - padX, xMax + padX, yMin - padY, yMax + padY];
}

export interface RegionGrid {
  /** gridSize × gridSize, row-major, row 0 at yMin: the predicted class of each cell. */
  classes: Int32Array;
  /** Confidence (the winning interpolated probability) of each cell. */
  confidence: Float32Array;
  gridSize: number;
  bounds: Bounds;
}

/**
 * Decision regions of the network drawn in a 2-D map. The map has no inverse (t-SNE cannot send a cell
 * back to feature space), so each cell takes the inverse-distance-weighted mean of the softmax vectors
 * the network gave its k nearest embedded points; the cell's class is the argmax and its confidence
 * the winning probability. So the shading is the network's own prediction, interpolated in the map.
 */
export function regionGrid(points: number[][], probabilities: number[][], gridSize: number, bounds: Bounds, k = 10): RegionGrid {
  if (points.length !== probabilities.length) throw new Error(`regionGrid: ${points.length} points but ${probabilities.length} probability rows`);
  if (points.length === 0) throw new Error('regionGrid: no points');
  const numClasses = probabilities[0].length;
  const neighbours = Math.min(k, points.length);
  const classes = new Int32Array(gridSize * gridSize);
  const confidence = new Float32Array(gridSize * gridSize);
  const [xMin, xMax, yMin, yMax] = bounds;
  const distances = new Float64Array(points.length);
  const order = points.map((_, i) => i);
  for (let row = 0; row < gridSize; row++) {
    const y = yMin + ((row + 0.5) / gridSize) * (yMax - yMin);
    for (let col = 0; col < gridSize; col++) {
      const x = xMin + ((col + 0.5) / gridSize) * (xMax - xMin);
      for (let i = 0; i < points.length; i++) distances[i] = Math.hypot(points[i][0] - x, points[i][1] - y);
      order.sort((a, b) => distances[a] - distances[b]);
      const mean = new Float64Array(numClasses);
      let total = 0;
      for (let n = 0; n < neighbours; n++) {
        const index = order[n];
        const weight = 1 / (distances[index] + 1e-9);
        total += weight;
        for (let c = 0; c < numClasses; c++) mean[c] += weight * probabilities[index][c];
      }
      let best = 0;
      for (let c = 1; c < numClasses; c++) if (mean[c] > mean[best]) best = c;
      classes[row * gridSize + col] = best;
      confidence[row * gridSize + col] = mean[best] / total;
    }
  }
  return { classes, confidence, gridSize, bounds };
}
