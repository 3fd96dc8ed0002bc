import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { createClassifier, type TrainableClassifier } from '@conjugate/models';
import { DEFAULT_ATTACK, type AttackSpec } from './attack-spec';
import { accuracies, addCounts, countRobustness, robustnessOfBatch } from './robust-accuracy';
import { randomBatch } from './test-support';

const shape: [number, number, number] = [8, 8, 1];
let model: TrainableClassifier;
let images: tf.Tensor4D;
let labels: tf.Tensor1D;

beforeAll(async () => {
  await initBackend();
  model = createClassifier({ architecture: 'tiny', inputShape: shape, numClasses: 2, seed: 4 });
  images = randomBatch(32, shape, 2, 8).images;
  // Label every image with the model's own prediction, so clean accuracy is 1 and only the attack can lower it.
  labels = tf.tidy(() => tf.argMax(model.logits(images), 1) as tf.Tensor1D);
});
afterAll(() => {
  tf.dispose([images, labels]);
  model.dispose();
});

const spec = (overrides: Partial<AttackSpec>): AttackSpec => ({ ...DEFAULT_ATTACK, ...overrides });

describe('robust accuracy', () => {
  it('counts an image already misclassified as a failure, even when the attack flips it back', () => {
    const truth = tf.tensor1d([0, 1, 2, 3], 'int32');
    const clean = tf.tensor1d([0, 1, 0, 0], 'int32');
    const adversarial = tf.tensor1d([0, 0, 2, 0], 'int32');
    expect(countRobustness(truth, clean, adversarial)).toEqual({ total: 4, cleanCorrect: 2, robustCorrect: 1 });
    tf.dispose([truth, clean, adversarial]);
  });

  it('adds counts and turns them into shares', () => {
    const sum = addCounts({ total: 4, cleanCorrect: 3, robustCorrect: 1 }, { total: 6, cleanCorrect: 5, robustCorrect: 4 });
    expect(sum).toEqual({ total: 10, cleanCorrect: 8, robustCorrect: 5 });
    expect(accuracies(sum)).toEqual({ clean: 0.8, robust: 0.5 });
  });

  it.each(['pixel', 'feature'] as const)('with ε = 0 equals clean accuracy (%s space)', (space) => {
    for (const method of ['fgsm', 'pgd'] as const) {
      const counts = robustnessOfBatch(model, images, labels, spec({ space, method, epsilon: 0, randomStart: true }));
      expect(counts).toEqual({ total: 32, cleanCorrect: 32, robustCorrect: 32 });
    }
  });

  it.each(['pixel', 'feature'] as const)('is at most clean accuracy and falls as ε grows (%s space)', (space) => {
    const robust = [0.02, 0.1, 0.3].map((epsilon) => robustnessOfBatch(model, images, labels, spec({ space, epsilon, stepSize: epsilon / 4 })));
    for (const counts of robust) expect(counts.robustCorrect).toBeLessThanOrEqual(counts.cleanCorrect);
    expect(robust[2].robustCorrect).toBeLessThan(robust[0].robustCorrect);
  });
});
