import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { createClassifier } from '@conjugate/models';
import { featuresAndProbabilities } from './embedding-inputs';

beforeAll(() => initBackend());

describe('featuresAndProbabilities', () => {
  it("gives one feature row of the classifier's feature size and one softmax row per image", async () => {
    const classifier = createClassifier({ architecture: 'tiny', inputShape: [8, 8, 1], numClasses: 3, seed: 1 });
    const images = tf.randomUniform([5, 8, 8, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const { features, probabilities } = await featuresAndProbabilities(classifier, images);
    expect(tf.memory().numTensors).toBe(before);
    expect(features).toHaveLength(5);
    expect(features[0]).toHaveLength(classifier.spec.featureSize);
    for (const row of probabilities) {
      expect(row).toHaveLength(3);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    images.dispose();
    classifier.dispose();
  });
});
