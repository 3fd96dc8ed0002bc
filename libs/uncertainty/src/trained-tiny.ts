import * as tf from '@tensorflow/tfjs-core';
import { createClassifier, type TrainableClassifier } from '@conjugate/models';

/**
 * For tests: a `tiny` network really trained (Adam, 40 steps) on 8×8 quadrant images — class c lights
 * quadrant c, plus seeded noise — so its log-loss has the curvature of a trained ReLU network.
 */
export function quadrantImages(count: number, seed: number): { images: tf.Tensor4D; labels: number[] } {
  const labels = Array.from({ length: count }, (_, i) => (i * 7 + seed) % 4);
  const images = tf.tidy(() => {
    const clean = new Float32Array(count * 64);
    labels.forEach((c, n) => {
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) if ((y < 4 ? 0 : 2) + (x < 4 ? 0 : 1) === c) clean[n * 64 + y * 8 + x] = 0.7;
    });
    return tf.add(tf.tensor4d(clean, [count, 8, 8, 1]), tf.randomUniform([count, 8, 8, 1], 0, 0.3, 'float32', seed)) as tf.Tensor4D;
  });
  return { images, labels };
}

export function trainedTiny(steps = 40): TrainableClassifier {
  const classifier = createClassifier({ architecture: 'tiny', inputShape: [8, 8, 1], numClasses: 4, seed: 1 });
  const { images, labels } = quadrantImages(64, 5);
  const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), 4);
  const optimizer = tf.train.adam(0.05);
  for (let step = 0; step < steps; step++) {
    tf.dispose(
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(oneHot, classifier.logits(images)) as tf.Scalar, true, classifier.trainableVariables()) ?? [],
    );
  }
  tf.dispose([images, oneHot]);
  optimizer.dispose();
  return classifier;
}
