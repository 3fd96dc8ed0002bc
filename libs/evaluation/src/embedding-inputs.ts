import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '@conjugate/models';

/** Feature vectors z = g(x) and the network's softmax h(z), as plain rows, for t-SNE and region shading. */
export async function featuresAndProbabilities(classifier: Classifier, images: tf.Tensor4D): Promise<{ features: number[][]; probabilities: number[][] }> {
  const [features, probabilities] = tf.tidy(() => {
    const z = classifier.features(images);
    return [z, tf.softmax(classifier.head(z))];
  });
  try {
    return { features: (await features.array()) as number[][], probabilities: (await probabilities.array()) as number[][] };
  } finally {
    features.dispose();
    probabilities.dispose();
  }
}
