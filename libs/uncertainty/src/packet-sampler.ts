import * as tf from '@tensorflow/tfjs-core';
import { readInto } from '@conjugate/backend';
import { logLossAndScore, pointSize, type LogLossModel } from './log-loss';
import { accumulateBatch, emptyPacketStatistics, type PacketStatistics } from './packet-statistics';
import { streamSeed } from './seeds';

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
  // One point's samples at a time, in arrays reused from point to point (they are summed, not kept).
  const drawn: DrawnSamples = {
    logLoss: new Float32Array(rowsPerPoint),
    displacement: new Float32Array(rowsPerPoint * D),
    score: new Float32Array(rowsPerPoint * D),
  };
  let samplesDone = 0;
  for (let k = 0; k < K; k++) {
    options.signal?.throwIfAborted();
    const mu = new Float64Array(D);
    for (let i = 0; i < D; i++) {
      const a = tilts[k * D + i];
      mu[i] = Number.isFinite(a) ? 2 * sigma2 * a : 0; // no tilt where ∇log l(x0) is not finite
    }
    await drawAndEvaluate(model, points, k, labels[k], mu, batches, counts, pointIds[k], options, drawn);
    let row = 0;
    batches.forEach((_, b) => {
      const n = counts[b];
      const logWeight = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const offset = (row + r) * D;
        let dMu = 0;
        for (let i = 0; i < D; i++) dMu += drawn.displacement[offset + i] * mu[i];
        const logW = 2 * drawn.logLoss[row + r] - dMu / sigma2;
        logWeight[r] = Number.isNaN(logW) ? -Infinity : logW;
      }
      accumulateBatch(stats, k, b, {
        logWeight,
        displacement: drawn.displacement.subarray(row * D, (row + n) * D),
        score: drawn.score.subarray(row * D, (row + n) * D),
        inverseTwoSigma2: 1 / (2 * sigma2),
      });
      row += n;
    });
    samplesDone += rowsPerPoint;
    options.onProgress?.(k + 1, samplesDone);
    // Let sockets and timers run between points: progress gets out, cancellation gets in.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return stats;
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
}

/** Draws every batch of one point (seeded per point and batch) into `result`, evaluates log l and s in chunks of rows. */
async function drawAndEvaluate(
  model: LogLossModel,
  points: tf.Tensor,
  k: number,
  label: number,
  mu: Float64Array,
  batches: number[],
  counts: number[],
  pointId: number,
  { sigma, seed, batchSize, signal }: PacketSamplingOptions,
  result: DrawnSamples,
): Promise<void> {
  const D = mu.length;
  const rows = counts.reduce((a, b) => a + b, 0);
  const displacements = tf.tidy(() => {
    const muRow = tf.tensor2d(Float32Array.from(mu), [1, D], 'float32');
    const parts = batches.map((b, j) => tf.randomNormal([counts[j], D], 0, 1, 'float32', streamSeed(seed, pointId, b)));
    return tf.add(muRow, tf.mul(tf.concat(parts, 0), sigma)) as tf.Tensor2D;
  });
  try {
    readInto(displacements, result.displacement);
    for (let start = 0; start < rows; start += batchSize) {
      // One point may take many batches of samples: yield and stop between them too, not only between points.
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
      const size = Math.min(batchSize, rows - start);
      const x = tf.tidy(() => {
        const x0 = tf.slice(points, k, 1);
        const d = tf.reshape(tf.slice(displacements, start, size), [size, ...x0.shape.slice(1)]);
        return tf.add(x0, d);
      });
      const y = tf.fill([size], label, 'int32') as tf.Tensor1D;
      try {
        logLossAndScore(model, x, y, { logLoss: result.logLoss, score: result.score, row: start });
      } finally {
        x.dispose();
        y.dispose();
      }
    }
  } finally {
    displacements.dispose();
  }
}
