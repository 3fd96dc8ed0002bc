import * as tf from '@tensorflow/tfjs-core';
import { logLossAndScore, pointSize, type LogLossModel } from './log-loss';
import { accumulateBatch, emptyPacketStatistics, type PacketStatistics } from './packet-statistics';
import { streamSeed } from './seeds';
import { fillStandardNormal } from './standard-normal';

export interface PacketSamplingOptions {
  /** Absolute packet width in the model's space (> 0). */
  sigma: number;
  /** N: samples per point over all shards (≥ 2). */
  samplesPerPoint: number;
  /** Jackknife batches over all shards; a shard draws the batches b with b mod shardCount = shardIndex. */
  totalBatches: number;
  shardIndex: number;
  shardCount: number;
  seed: number;
  /** Rows per forward/backward pass. */
  batchSize: number;
  /** Called after each point with the points done and samples drawn so far. */
  onProgress?: (pointsDone: number, samplesDone: number) => void;
  signal?: AbortSignal;
}

export interface PacketPoints {
  /** Evaluation points x0 in the model's space, [K, ...pointShape]. */
  points: tf.Tensor;
  labels: number[];
  pointIds: number[];
}

/** Samples in jackknife batch b: N split as evenly as possible over the batches. */
export function batchSampleCount(samplesPerPoint: number, totalBatches: number, b: number): number {
  return Math.floor(samplesPerPoint / totalBatches) + (b < samplesPerPoint % totalBatches ? 1 : 0);
}

/** The global batch indices a shard draws. */
export function shardBatches(totalBatches: number, shardIndex: number, shardCount: number): number[] {
  return Array.from({ length: totalBatches }, (_, b) => b).filter((b) => b % shardCount === shardIndex);
}

/**
 * Draws the packet's samples around each point from the tilted Gaussian of spec §2 and accumulates the
 * additive sufficient statistics: a0 = ∇log l(x0) (0 where not finite), μ = 2σ²a0, X = x0 + μ + σz,
 * log ω = 2 log l(X) − d·μ/σ², d = X − x0.
 */
export async function samplePacket(
  model: LogLossModel,
  { points, labels, pointIds }: PacketPoints,
  options: PacketSamplingOptions,
): Promise<PacketStatistics> {
  const { sigma, samplesPerPoint, totalBatches, shardIndex, shardCount, seed, batchSize } = options;
  const D = pointSize(model);
  const K = labels.length;
  const batches = shardBatches(totalBatches, shardIndex, shardCount);
  const stats = emptyPacketStatistics({
    sigma,
    pointIds,
    labels,
    pointShape: model.pointShape,
    batchIndices: batches,
    totalBatches,
    seed,
  });
  const counts = batches.map((b) => batchSampleCount(samplesPerPoint, totalBatches, b));
  const rowsPerPoint = counts.reduce((a, b) => a + b, 0);
  stats.samplesPerPoint = rowsPerPoint;
  const tilts = slopesAt(model, points, labels, batchSize);
  const sigma2 = sigma * sigma;
  // Several points' samples share a forward/backward pass when they fit in one (a shard's few samples
  // per point would otherwise make many small passes); rows are independent, so values do not change.
  const pointsPerPass = Math.max(1, Math.floor(batchSize / Math.max(rowsPerPoint, 1)));
  // The samples of one group of points at a time, in arrays reused from group to group (they are summed, not kept).
  const drawn: DrawnSamples = {
    logLoss: new Float32Array(pointsPerPass * rowsPerPoint),
    displacement: new Float32Array(pointsPerPass * rowsPerPoint * D),
    score: new Float32Array(pointsPerPass * rowsPerPoint * D),
    input: new Float32Array(Math.min(batchSize, pointsPerPass * rowsPerPoint) * D),
  };
  const origins = points.dataSync() as Float32Array;
  let samplesDone = 0;
  for (let first = 0; first < K; first += pointsPerPass) {
    options.signal?.throwIfAborted();
    const group = Array.from({ length: Math.min(pointsPerPass, K - first) }, (_, g) => first + g);
    const tilt = group.map((k) => {
      const mu = new Float64Array(D);
      for (let i = 0; i < D; i++) {
        const a = tilts[k * D + i];
        mu[i] = Number.isFinite(a) ? 2 * sigma2 * a : 0; // no tilt where ∇log l(x0) is not finite
      }
      return mu;
    });
    await drawAndEvaluate(model, { origins, labels, pointIds, group, mu: tilt, batches, counts }, options, drawn);
    group.forEach((k, g) => {
      accumulatePoint(stats, k, drawn, g * rowsPerPoint, tilt[g], counts, sigma2);
      samplesDone += rowsPerPoint;
      options.onProgress?.(k + 1, samplesDone);
    });
    // Let sockets and timers run between passes: progress gets out, cancellation gets in.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return stats;
}

/** Adds point k's drawn samples (rows from `row` on, batch after batch) to its cells: log ω = 2 log l(X) − d·μ/σ². */
function accumulatePoint(stats: PacketStatistics, k: number, drawn: DrawnSamples, row: number, mu: Float64Array, counts: number[], sigma2: number): void {
  const D = mu.length;
  const { displacement, logLoss } = drawn;
  counts.forEach((n, b) => {
    const logWeight = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const offset = (row + r) * D;
      let dMu = 0;
      for (let i = 0; i < D; i++) dMu += displacement[offset + i] * mu[i];
      const logW = 2 * logLoss[row + r] - dMu / sigma2;
      logWeight[r] = Number.isNaN(logW) ? -Infinity : logW;
    }
    accumulateBatch(stats, k, b, {
      logWeight,
      displacement: displacement.subarray(row * D, (row + n) * D),
      score: drawn.score.subarray(row * D, (row + n) * D),
      inverseTwoSigma2: 1 / (2 * sigma2),
    });
    row += n;
  });
}

/** ∇ log l at every point, flat [K, D]. */
function slopesAt(model: LogLossModel, points: tf.Tensor, labels: number[], batchSize: number): Float32Array {
  const K = labels.length;
  const D = pointSize(model);
  const out = new Float32Array(K * D);
  const logLoss = new Float32Array(K);
  for (let start = 0; start < K; start += batchSize) {
    const size = Math.min(batchSize, K - start);
    const x = tf.slice(points, start, size);
    const y = tf.tensor1d(labels.slice(start, start + size), 'int32');
    try {
      logLossAndScore(model, x, y, { logLoss, score: out, row: start });
    } finally {
      x.dispose();
      y.dispose();
    }
  }
  return out;
}

interface DrawnSamples {
  logLoss: Float32Array;
  displacement: Float32Array;
  score: Float32Array;
  /** One pass's rows X = x0 + d. */
  input: Float32Array;
}

/** The points whose samples one call draws and evaluates (`group`: their positions k) and their tilts μ. */
interface PointGroup {
  /** Every point's values, [K, D], labels and ids. */
  origins: Float32Array;
  labels: number[];
  pointIds: number[];
  group: number[];
  mu: Float64Array[];
  /** The shard's jackknife batches and the samples each draws per point. */
  batches: number[];
  counts: number[];
}

/**
 * Draws every batch of each point of the group (seeded per point and batch) into `result`, point after
 * point, and evaluates log l and s at X = x0 + d in passes of at most `batchSize` rows. d = μ + σz and
 * X are float32 sums and products rounded as tfjs's float32 ops round them (a product or sum of two
 * float32 values rounded once from float64 is the float32 result), without a tensor op per step.
 */
async function drawAndEvaluate(
  model: LogLossModel,
  { origins, group, labels, pointIds, mu, batches, counts }: PointGroup,
  { sigma, seed, batchSize, signal }: PacketSamplingOptions,
  result: DrawnSamples,
): Promise<void> {
  const D = mu[0].length;
  const perPoint = counts.reduce((a, b) => a + b, 0);
  const rows = group.length * perPoint;
  const sigma32 = Math.fround(sigma);
  const d = result.displacement;
  group.forEach((_, g) => {
    const mu32 = Float32Array.from(mu[g]);
    let row = g * perPoint;
    batches.forEach((b, j) => {
      fillStandardNormal(d.subarray(row * D, (row + counts[j]) * D), streamSeed(seed, pointIds[group[g]], b));
      row += counts[j];
    });
    for (let o = g * perPoint * D, end = (g + 1) * perPoint * D; o < end; o += D) {
      for (let i = 0; i < D; i++) d[o + i] = mu32[i] + Math.fround(d[o + i] * sigma32);
    }
  });
  for (let start = 0; start < rows; start += batchSize) {
    // One point may take many passes: yield and stop between them too, not only between groups.
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    signal?.throwIfAborted();
    const size = Math.min(batchSize, rows - start);
    const rowLabels = new Int32Array(size);
    const input = result.input;
    for (let r = 0; r < size; r++) {
      const k = group[Math.floor((start + r) / perPoint)];
      rowLabels[r] = labels[k];
      const x0 = k * D;
      const o = (start + r) * D;
      for (let i = 0, at = r * D; i < D; i++) input[at + i] = origins[x0 + i] + d[o + i];
    }
    const x = tf.tensor(input.subarray(0, size * D), [size, ...model.pointShape], 'float32');
    const y = tf.tensor1d(rowLabels, 'int32');
    try {
      logLossAndScore(model, x, y, { logLoss: result.logLoss, score: result.score, row: start });
    } finally {
      x.dispose();
      y.dispose();
    }
  }
}
