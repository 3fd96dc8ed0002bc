// Clean vs robust accuracy (PGD in pixel and feature space) of a cnn3 trained on MNIST, for issue 5's
// closing note: `npx tsx tools/experiments/attack-robustness.ts [epochs=1] [testLimit=10000]`.
// Paper attack: PGD L∞, ε = 8/255, α = 2/255, 4 steps; Adam 1e-3, batch 64, seed 0.
import * as tf from '@tensorflow/tfjs-core';
import { accuracies, addCounts, DEFAULT_ATTACK, NO_IMAGES, robustnessOfBatch, SpaceScaleMeter, absoluteBudget, type AttackSpec } from '@conjugate/attacks';
import { initBackend } from '@conjugate/backend';
import { DatasetRegistry, gatherBatch } from '@conjugate/datasets';
import { createClassifier } from '@conjugate/models';
import { batchesOf, createOptimizer, trainEpoch } from '@conjugate/training';

/** The first `limit` images of an MNIST split. */
async function mnist(split: 'train' | 'test', limit: number): Promise<{ images: tf.Tensor4D; labels: tf.Tensor1D }> {
  const dataset = await new DatasetRegistry().load('mnist');
  const count = Math.min(limit, split === 'train' ? dataset.train.count : dataset.test.count);
  const batch = gatherBatch(dataset, split, Array.from({ length: count }, (_, i) => i));
  return { images: tf.tensor4d(batch.images, batch.shape), labels: tf.tensor1d(batch.labels, 'int32') };
}

async function main(): Promise<void> {
  const epochs = Number(process.argv[2] ?? 1);
  const testLimit = Number(process.argv[3] ?? 10_000);
  const backend = await initBackend();
  console.log(`backend: ${backend.name}`);
  const train = await mnist('train', 60_000);
  const test = await mnist('test', testLimit);
  const model = createClassifier({ architecture: 'cnn3', seed: 0 });
  const optimizer = createOptimizer('adam', 1e-3);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const result = await trainEpoch(model, batchesOf(train.images, train.labels, 64), optimizer);
    console.log(`train_epoch_${epoch}: loss ${result.loss.toFixed(4)}, accuracy ${result.accuracy.toFixed(4)}, ${result.seconds.toFixed(0)} s`);
  }

  const meter = new SpaceScaleMeter(model);
  for await (const batch of batchesOf(test.images, test.labels, 500)) {
    meter.add(batch.images);
    tf.dispose([batch.images, batch.labels]);
  }
  const scale = meter.scale;
  console.log(`std_x: ${scale.pixelStd.toFixed(4)}, std_g: ${scale.featureStd.toFixed(4)}, features ≥ 0: ${scale.nonNegativeFeatures}`);

  for (const space of ['pixel', 'feature'] as const) {
    const spec: AttackSpec = { ...DEFAULT_ATTACK, space };
    const started = performance.now();
    let counts = NO_IMAGES;
    for await (const batch of batchesOf(test.images, test.labels, 500)) {
      counts = addCounts(counts, robustnessOfBatch(model, batch.images, batch.labels, spec, { scale }));
      tf.dispose([batch.images, batch.labels]);
    }
    const { clean, robust } = accuracies(counts);
    const budget = absoluteBudget(spec, scale);
    console.log(
      `${space}: clean ${clean.toFixed(4)} (${counts.cleanCorrect}/${counts.total}), robust ${robust.toFixed(4)} (${counts.robustCorrect}/${counts.total}), ` +
        `ε used ${budget.epsilon.toFixed(4)}, α used ${budget.stepSize.toFixed(4)}, ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
