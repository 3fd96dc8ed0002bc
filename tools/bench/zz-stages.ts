import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { DatasetRegistry, gatherBatch } from '@conjugate/datasets';
import { createClassifier } from '@conjugate/models';
import { classifierLogLoss, pooledStd, summariseEnsemble } from '@conjugate/uncertainty';
import { ensembleInputs } from '../../libs/uncertainty/src/ensemble';
async function main() {
  await initBackend();
  const classifier = createClassifier({ architecture: 'cnn3', inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
  const batch = gatherBatch(await new DatasetRegistry().load('mnist'), 'test', Array.from({ length: 10000 }, (_, i) => i));
  const images = tf.tensor4d(batch.images, batch.shape);
  const labels = Array.from(batch.labels);
  for (let round = 0; round < 2; round++) {
    let t = performance.now();
    const lap = (what: string) => { const now = performance.now(); console.log(`${what}: ${((now - t) / 1000).toFixed(2)} s`); t = now; };
    const features = tf.tidy(() => { const parts: tf.Tensor[] = []; for (let s = 0; s < 10000; s += 256) parts.push(tf.tidy(() => classifier.features(tf.slice(images, s, Math.min(256, 10000 - s))))); return tf.concat(parts, 0); });
    await features.data(); lap('features forward');
    await pooledStd(images); await pooledStd(features); lap('pooled stds');
    const inputs = await ensembleInputs(classifierLogLoss(classifier, 'pixel'), images, labels, { batchSize: 256 }); lap('pixel forward+backward');
    await summariseEnsemble(inputs, labels, { bootstrapResamples: 200, seed: 1, standardize: false }); lap('pixel bootstrap');
    const finputs = await ensembleInputs(classifierLogLoss(classifier, 'feature'), features, labels, { batchSize: 256 }); lap('feature forward+backward');
    await summariseEnsemble(finputs, labels, { bootstrapResamples: 200, seed: 1, standardize: true }); lap('feature bootstrap');
    features.dispose();
  }
}
main();
