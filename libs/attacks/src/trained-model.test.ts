import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { createClassifier, type TrainableClassifier } from '@conjugate/models';
import { DEFAULT_ATTACK, type AttackSpec } from './attack-spec';
import { crossEntropyPerExample } from './loss';
import { accuracies, robustnessOfBatch } from './robust-accuracy';
import { measureSpaceScale } from './space-scale';
import { mnistSubset } from './test-support';

// A tiny model trained briefly on 1 024 MNIST images, attacked on 128 test images.
let model: TrainableClassifier;
let test: { images: tf.Tensor4D; labels: tf.Tensor1D };

beforeAll(async () => {
  await initBackend();
  model = createClassifier({ architecture: 'tiny', inputShape: [28, 28, 1], numClasses: 10, seed: 0 });
  // Plain Adam steps here: @conjugate/training depends on this lib, so its loop cannot be used.
  const train = await mnistSubset('train', 1024);
  const optimizer = tf.train.adam(3e-3);
  for (let epoch = 0; epoch < 3; epoch++) {
    for (let start = 0; start < 1024; start += 32) {
      tf.tidy(() => {
        const images = tf.slice(train.images, start, 32);
        const labels = tf.slice(train.labels, start, 32);
        optimizer.minimize(() => tf.mean(crossEntropyPerExample(model.logits(images), labels)), false, model.trainableVariables());
      });
    }
  }
  tf.dispose([train.images, train.labels]);
  optimizer.dispose();
  test = await mnistSubset('test', 128);
});
afterAll(() => {
  tf.dispose([test.images, test.labels]);
  model.dispose();
});

const accuracy = (spec: Partial<AttackSpec>) => accuracies(robustnessOfBatch(model, test.images, test.labels, { ...DEFAULT_ATTACK, ...spec }));

describe('attacks on a trained tiny model (MNIST)', () => {
  it('learned something: clean accuracy well above chance', () => {
    expect(accuracy({ epsilon: 0 }).clean).toBeGreaterThan(0.8);
  });

  it("PGD with the paper's budget lowers accuracy, and a larger budget lowers it more", () => {
    const paper = accuracy({});
    const larger = accuracy({ epsilon: 0.1, stepSize: 0.025 });
    expect(paper.robust).toBeLessThan(paper.clean);
    expect(larger.robust).toBeLessThan(paper.robust);
  });

  it('PGD is at least as strong as FGSM with the same budget', () => {
    const budget = { epsilon: 0.1, stepSize: 0.025, steps: 10 };
    expect(accuracy({ ...budget }).robust).toBeLessThanOrEqual(accuracy({ ...budget, method: 'fgsm' }).robust);
  });

  it('in feature space, the same relative budget also lowers accuracy and uses ε·std_g/std_x', () => {
    const scale = measureSpaceScale(model, test.images);
    const feature = accuracies(robustnessOfBatch(model, test.images, test.labels, { ...DEFAULT_ATTACK, space: 'feature', epsilon: 0.1, stepSize: 0.025 }, { scale }));
    expect(feature.robust).toBeLessThan(feature.clean);
    expect(scale.nonNegativeFeatures).toBe(true);
    expect(scale.featureStd).toBeGreaterThan(0);
  });
});
