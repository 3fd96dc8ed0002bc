import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { constantLoss, logLinearLoss } from './closed-form-losses';
import { estimateEnsemble, type EnsembleOptions } from './ensemble';
import type { LogLossModel } from './log-loss';

// Spec §5, ensemble oracles on a small synthetic set.
const M = 40;
const D = 6;
const options: EnsembleOptions = { bootstrapResamples: 200, seed: 3, batchSize: 16, standardize: true };
// Points in [0, 1] with one constant dimension (inactive), labels in three classes.
const X = Array.from({ length: M }, (_, m) => Array.from({ length: D }, (_, i) => (i === 5 ? 0.5 : (Math.sin(7 * m + 3 * i) + 1) / 2)));
const labels = X.map((_, m) => m % 3);

/** log l = a·x + c|x|²/2, so s = a + c·x: curved enough that every weight differs. */
const a = [0.8, -1.1, 0.4, 2.0, -0.3, 0.7];
const c = 1.5;
const curvedLoss: LogLossModel = {
  pointShape: [D],
  logLoss: (points) =>
    tf.add(tf.sum(tf.mul(points, tf.tensor2d(a, [1, D])), 1), tf.mul(tf.sum(tf.square(points), 1), c / 2)) as tf.Tensor1D,
};

async function run(model: LogLossModel, rows = X, ys = labels) {
  const points = tf.tensor2d(rows);
  try {
    return await estimateEnsemble(model, points, ys, options);
  } finally {
    points.dispose();
  }
}

/** The formulas of §1 evaluated directly in float64 from l and g = ∇l (no log space, no reuse of the library). */
function directEnsemble(rows: number[][]) {
  const l = rows.map((x) => Math.exp(x.reduce((acc, xi, i) => acc + a[i] * xi + (c / 2) * xi * xi, 0)));
  const g = rows.map((x, m) => x.map((xi, i) => l[m] * (a[i] + c * xi)));
  const sumL2 = l.reduce((acc, v) => acc + v * v, 0);
  const omega = l.map((v) => (v * v) / sumL2);
  const sumOmega2 = omega.reduce((acc, w) => acc + w * w, 0);
  const dx: number[] = [];
  const dp: number[] = [];
  for (let i = 0; i < D; i++) {
    const meanX = rows.reduce((acc, x, m) => acc + omega[m] * x[i], 0);
    dx.push(Math.sqrt(rows.reduce((acc, x, m) => acc + omega[m] * (x[i] - meanX) ** 2, 0) / (1 - sumOmega2)));
    const meanP = g.reduce((acc, gm, m) => acc + l[m] * gm[i], 0) / sumL2;
    dp.push(Math.sqrt(Math.max(0, g.reduce((acc, gm) => acc + gm[i] ** 2, 0) / sumL2 - meanP ** 2)));
  }
  return { dx, dp, ess: 1 / sumOmega2 };
}

beforeAll(async () => {
  await initBackend();
});

describe('ensemble estimator (spec §1, §5)', () => {
  it('equals a direct float64 evaluation of the formulas', async () => {
    const report = await run(curvedLoss);
    const direct = directEnsemble(X);
    for (let i = 0; i < D; i++) {
      expect(report.maps.dx[i]).toBeCloseTo(direct.dx[i], 5);
      expect(Math.abs(report.maps.dp[i] - direct.dp[i])).toBeLessThan(1e-5 * Math.max(1, direct.dp[i]));
    }
    expect(report.overall.ess / direct.ess).toBeCloseTo(1, 5);
    const active = [0, 1, 2, 3, 4];
    expect(report.overall.activeDimensions).toBe(5);
    expect(Array.from(report.maps.active)).toEqual([1, 1, 1, 1, 1, 0]);
    const mean = (v: number[]) => v.reduce((x, y) => x + y, 0) / v.length;
    expect(report.overall.meanDx.value).toBeCloseTo(mean(active.map((i) => direct.dx[i])), 5);
    expect(report.overall.meanProduct.value).toBeCloseTo(mean(active.map((i) => direct.dx[i] * direct.dp[i])), 5);
    for (const entry of [report.overall.meanDx, report.overall.meanDp, report.overall.meanProduct]) {
      expect(entry.standardError).toBeGreaterThan(0);
      expect(Number.isFinite(entry.standardError)).toBe(true);
    }
    expect(report.perClass.map((p) => p.label)).toEqual([0, 1, 2]);
    expect(report.perClass[1].summary.numPoints).toBe(13);
  });

  it('constant loss: Δp = 0 and Δx is the plain data std', async () => {
    const report = await run(constantLoss(D, 0.2));
    for (let i = 0; i < D; i++) {
      const column = X.map((x) => x[i]);
      const mean = column.reduce((p, q) => p + q, 0) / M;
      const std = Math.sqrt(column.reduce((p, q) => p + (q - mean) ** 2, 0) / (M - 1));
      expect(report.maps.dx[i]).toBeCloseTo(std, 6);
      expect(report.maps.dp[i]).toBeCloseTo(0, 6);
    }
    expect(report.overall.ess).toBeCloseTo(M, 6);
  });

  it('l = exp(a·x): ⟨p⟩ = a and Δp = 0', async () => {
    const report = await run(logLinearLoss(a));
    for (let i = 0; i < D; i++) {
      expect(report.maps.meanP[i]).toBeCloseTo(a[i], 5);
      expect(report.maps.dp[i]).toBeCloseTo(0, 2);
    }
  });

  it('does not depend on the order of the points', async () => {
    const order = X.map((_, m) => (m * 17) % M);
    const forward = await run(curvedLoss);
    const shuffled = await run(curvedLoss, order.map((m) => X[m]), order.map((m) => labels[m]));
    for (let i = 0; i < D; i++) {
      expect(shuffled.maps.dx[i]).toBeCloseTo(forward.maps.dx[i], 10);
      expect(shuffled.maps.dp[i]).toBeCloseTo(forward.maps.dp[i], 10);
    }
    expect(shuffled.overall.meanProduct.value).toBeCloseTo(forward.overall.meanProduct.value, 10);
  });

  it('reports Δx as missing, with the reason, when ESS < 2', async () => {
    // Point 0 sits at x₀ = 1, every other at x₀ ≤ 1/2: with l = exp(80 x₀) it carries all the weight.
    const rows = X.map((x, m) => [m === 0 ? 1 : x[0] / 2, ...x.slice(1)]);
    const report = await run(logLinearLoss([80, 0, 0, 0, 0, 0]), rows);
    expect(report.overall.ess).toBeLessThan(2);
    expect(report.overall.meanDx.missingReason).toMatch(/ESS .* < 2/);
    expect(report.overall.meanProduct.missingReason).toMatch(/ESS .* < 2/);
    expect(report.overall.meanDp.missingReason).toBe('');
    expect(report.warnings.join()).toMatch(/ESS/);
  });
});
