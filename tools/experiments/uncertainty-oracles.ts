// The oracle table of spec §5 (packet estimator, n = 16, σ = 0.1, N = 20 000, 20 jackknife batches),
// expected vs estimated ± jackknife SE, through the network code path: `npx tsx tools/experiments/uncertainty-oracles.ts`.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { constantLoss, estimatePacket, logLinearLoss, quadraticLoss, type LogLossModel } from '@conjugate/uncertainty';

const n = 16;
const sigma = 0.1;
const N = 20_000;
const x0 = Array.from({ length: n }, (_, i) => Math.sin(i + 1));
const a = Array.from({ length: n }, (_, i) => 3 * Math.cos(2 * i + 1));

async function point(model: LogLossModel) {
  const points = tf.tensor2d(x0, [1, n]);
  const { report } = await estimatePacket(model, { points, labels: [0], pointIds: [0] }, {
    sigma, samplesPerPoint: N, totalBatches: 20, shardIndex: 0, shardCount: 1, seed: 7, batchSize: 4096,
  });
  points.dispose();
  return report.points[0];
}

function row(name: string, expected: number, value: number, se: number): void {
  const z = (value - expected) / se;
  console.log(`| ${name} | ${expected.toPrecision(6)} | ${value.toPrecision(6)} ± ${se.toPrecision(2)} | ${z.toFixed(2)} |`);
}

/** ESS = N exactly, up to float rounding: show the relative deviation instead of a z-score. */
function essRow(name: string, ess: number): void {
  console.log(`| ${name} | ${N} | ${ess.toFixed(6)} | rel. dev. ${(Math.abs(ess - N) / N).toExponential(1)} |`);
}

async function main(): Promise<void> {
  await initBackend();
  console.log('| quantity | expected | estimated ± SE | z |\n|---|---|---|---|');
  const constant = await point(constantLoss(n, 0.3));
  row('1 constant: mean Δx', sigma, constant.values.meanDx.value, constant.values.meanDx.standardError);
  row('1 constant: mean Δp', 1 / (2 * sigma), constant.values.meanDp.value, constant.values.meanDp.standardError);
  row('1 constant: mean product', 0.5, constant.values.meanProduct.value, constant.values.meanProduct.standardError);
  essRow('1 constant: ESS', constant.values.ess.value);
  const linear = await point(logLinearLoss(a));
  row('2 log-linear: mean Δx', sigma, linear.values.meanDx.value, linear.values.meanDx.standardError);
  row('2 log-linear: mean Δp', 1 / (2 * sigma), linear.values.meanDp.value, linear.values.meanDp.standardError);
  row('2 log-linear: mean product', 0.5, linear.values.meanProduct.value, linear.values.meanProduct.standardError);
  row('2 log-linear: shift |m|/σ = 2σ|a|', 2 * sigma * Math.hypot(...a), linear.values.shift.value, linear.values.shift.standardError);
  row('2 log-linear: m₁ = 2σ²a₁', 2 * sigma ** 2 * a[0], linear.m[0], linear.mError[0]);
  essRow('2 log-linear: ESS (all weights equal)', linear.values.ess.value);
  const quadratic = await point(quadraticLoss(n, 0, x0[0]));
  row('3 quadratic: Δx₁ = √5σ', Math.sqrt(5) * sigma, quadratic.dx[0], quadratic.dxError[0]);
  row('3 quadratic: Δp₁ = √(7/12)/σ', Math.sqrt(7 / 12) / sigma, quadratic.dp[0], quadratic.dpError[0]);
  row('3 quadratic: Δx₁Δp₁ = √(35/12)', Math.sqrt(35 / 12), quadratic.product[0], quadratic.productError[0]);
  row('3 quadratic: Δx₂', sigma, quadratic.dx[1], quadratic.dxError[1]);
  row('3 quadratic: Δp₂', 1 / (2 * sigma), quadratic.dp[1], quadratic.dpError[1]);
  console.log(`(quadratic ESS ${quadratic.values.ess.value.toFixed(0)} of ${N})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
