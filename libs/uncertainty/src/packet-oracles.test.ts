import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { constantLoss, logLinearLoss, quadraticLoss } from './closed-form-losses';
import type { LogLossModel } from './log-loss';
import { estimatePacket } from './packet';
import type { PacketPointEstimate } from './packet-point';

// Spec §5, packet oracles: n = 16, σ = 0.1, N = 20 000, through the network code path.
const n = 16;
const sigma = 0.1;
const N = 20_000;
const x0 = Array.from({ length: n }, (_, i) => Math.sin(i + 1)); // any point

async function estimateAtX0(model: LogLossModel, samplesPerPoint = N, seed = 7): Promise<PacketPointEstimate> {
  const points = tf.tensor2d(x0, [1, n]);
  try {
    const { report } = await estimatePacket(model, { points, labels: [0], pointIds: [0] }, {
      sigma,
      samplesPerPoint,
      totalBatches: 20,
      shardIndex: 0,
      shardCount: 1,
      seed,
      batchSize: 4096,
    });
    return report.points[0];
  } finally {
    points.dispose();
  }
}

/** |estimate − expected| in units of its standard error. */
function zScore(value: number, standardError: number, expected: number): number {
  expect(standardError).toBeGreaterThan(0);
  return Math.abs(value - expected) / standardError;
}

/** Every dimension in `dims` within 4 SE (the largest of ~50 normal z is rarely above 4) for Δx and Δp. */
function expectPlainPacket(point: PacketPointEstimate, dims: number[]): void {
  for (const i of dims) {
    expect(zScore(point.dx[i], point.dxError[i], sigma)).toBeLessThan(4);
    expect(zScore(point.dp[i], point.dpError[i], 1 / (2 * sigma))).toBeLessThan(4);
  }
}

beforeAll(async () => {
  await initBackend();
});

describe('packet estimator oracles (spec §5)', () => {
  it('1. constant loss: Δx = σ, Δp = 1/(2σ), product 1/2, ESS = N', async () => {
    const point = await estimateAtX0(constantLoss(n, 0.3));
    const { meanDx, meanDp, meanProduct, ess } = point.values;
    expect(zScore(meanDx.value, meanDx.standardError, sigma)).toBeLessThan(3);
    expect(zScore(meanDp.value, meanDp.standardError, 1 / (2 * sigma))).toBeLessThan(3);
    expect(zScore(meanProduct.value, meanProduct.standardError, 0.5)).toBeLessThan(3);
    expect(ess.value).toBeCloseTo(N, 6);
    expectPlainPacket(point, [...Array(n).keys()]);
  });

  it('2. log-linear loss: Δx = σ, Δp = 1/(2σ), shift m = 2σ²a, every weight equal', async () => {
    const a = Array.from({ length: n }, (_, i) => 3 * Math.cos(2 * i + 1));
    const point = await estimateAtX0(logLinearLoss(a));
    const { meanDx, meanDp, meanProduct, ess, shift } = point.values;
    expect(ess.value / N).toBeCloseTo(1, 8);
    expect(zScore(meanDx.value, meanDx.standardError, sigma)).toBeLessThan(3);
    expect(zScore(meanDp.value, meanDp.standardError, 1 / (2 * sigma))).toBeLessThan(3);
    expect(zScore(meanProduct.value, meanProduct.standardError, 0.5)).toBeLessThan(3);
    const aNorm = Math.hypot(...a);
    expect(zScore(shift.value, shift.standardError, 2 * sigma * aNorm)).toBeLessThan(3);
    for (let i = 0; i < n; i++) expect(zScore(point.m[i], point.mError[i], 2 * sigma ** 2 * a[i])).toBeLessThan(4);
    expectPlainPacket(point, [...Array(n).keys()]);
  });

  it('3. quadratic loss (X₁ − x0₁)²: Δx₁ = √5σ, Δp₁ = √(7/12)/σ, product √(35/12); others as case 1', async () => {
    const point = await estimateAtX0(quadraticLoss(n, 0, x0[0]));
    expect(zScore(point.dx[0], point.dxError[0], Math.sqrt(5) * sigma)).toBeLessThan(3);
    expect(zScore(point.dp[0], point.dpError[0], Math.sqrt(7 / 12) / sigma)).toBeLessThan(3);
    expect(zScore(point.product[0], point.productError[0], Math.sqrt(35 / 12))).toBeLessThan(3);
    expectPlainPacket(point, [...Array(n).keys()].slice(1));
  });

  it('error of the estimate falls about as 1/√N (16× the samples → ¼ the standard error)', async () => {
    const small = await estimateAtX0(quadraticLoss(n, 0, x0[0]), N / 10, 11);
    const large = await estimateAtX0(quadraticLoss(n, 0, x0[0]), (N / 10) * 16, 11);
    const ratio = small.productError[0] / large.productError[0];
    expect(ratio).toBeGreaterThan(2.5);
    expect(ratio).toBeLessThan(6.5);
    expect(zScore(small.product[0], small.productError[0], Math.sqrt(35 / 12))).toBeLessThan(3);
    expect(zScore(large.product[0], large.productError[0], Math.sqrt(35 / 12))).toBeLessThan(3);
  });
});
