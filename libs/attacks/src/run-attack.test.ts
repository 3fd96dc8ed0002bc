import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { createClassifier, type Classifier, type TrainableClassifier } from '@conjugate/models';
import { AttackArgumentError, DEFAULT_ATTACK, type AttackSpec } from './attack-spec';
import { disposeAttackResult, runAttack } from './run-attack';
import { randomBatch } from './test-support';

const shape: [number, number, number] = [8, 8, 1];
let model: TrainableClassifier;
let images: tf.Tensor4D;
let labels: tf.Tensor1D;

beforeAll(async () => {
  await initBackend();
  model = createClassifier({ architecture: 'tiny', inputShape: shape, numClasses: 4, seed: 2 });
  ({ images, labels } = randomBatch(12, shape, 4, 5));
});
afterAll(() => {
  tf.dispose([images, labels]);
  model.dispose();
});

const spec = (overrides: Partial<AttackSpec>): AttackSpec => ({ ...DEFAULT_ATTACK, ...overrides });
const values = (t: tf.Tensor) => Array.from(t.dataSync());

/** The same function as `inner` with its features multiplied by `factor`: g' = c·g, h'(z) = h(z / c). */
function rescaledFeatures(inner: Classifier, factor: number): Classifier {
  return {
    spec: inner.spec,
    features: (x) => tf.tidy(() => tf.mul(inner.features(x), factor)),
    head: (z) => tf.tidy(() => inner.head(tf.div(z, factor))),
    logits: (x) => inner.logits(x),
  };
}

describe('runAttack', () => {
  it('in pixel space returns adversarial images, both predictions and norms within ε', () => {
    const result = runAttack(model, images, labels, spec({ epsilon: 0.2, stepSize: 0.05, steps: 5 }));
    expect(result.adversarial.shape).toEqual(images.shape);
    expect(result.epsilonUsed).toBe(0.2);
    expect(result.stepSizeUsed).toBe(0.05);
    expect(values(result.cleanPredictions)).toEqual(values(tf.argMax(model.logits(images), 1)));
    expect(values(result.adversarialPredictions)).toEqual(values(tf.argMax(model.logits(result.adversarial as tf.Tensor4D), 1)));
    expect(Math.max(...values(result.perturbationNorms))).toBeLessThanOrEqual(0.2 + 1e-6);
    expect(Math.max(...values(result.perturbationNorms))).toBeGreaterThan(0.1);
    disposeAttackResult(result);
  });

  it('in feature space uses ε·std_g/std_x, keeps ReLU features ≥ 0 and stays in that ball', () => {
    const [stdX, stdG] = tf.tidy(() => [tf.sqrt(tf.moments(images).variance).dataSync()[0], tf.sqrt(tf.moments(model.features(images)).variance).dataSync()[0]]);
    const result = runAttack(model, images, labels, spec({ space: 'feature', epsilon: 0.1, stepSize: 0.03, steps: 4 }));
    expect(result.epsilonUsed).toBeCloseTo((0.1 / stdX) * stdG, 5);
    expect(result.stepSizeUsed).toBeCloseTo((0.03 / stdX) * stdG, 5);
    expect(result.adversarial.shape).toEqual([12, model.spec.featureSize]);
    expect(Math.min(...values(result.adversarial))).toBeGreaterThanOrEqual(0);
    const norms = values(result.perturbationNorms);
    expect(Math.max(...norms)).toBeLessThanOrEqual(result.epsilonUsed * (1 + 1e-5));
    expect(Math.max(...norms)).toBeGreaterThan(result.epsilonUsed / 2);
    expect(values(result.adversarialPredictions)).toEqual(values(tf.argMax(model.head(result.adversarial as tf.Tensor2D), 1)));
    disposeAttackResult(result);
  });

  it.each(['linf', 'l2'] as const)('in feature space measures the budget relative to the feature scale (%s): rescaling g changes nothing else', (norm) => {
    const attack = spec({ space: 'feature', norm, epsilon: norm === 'linf' ? 0.1 : 1, stepSize: norm === 'linf' ? 0.03 : 0.3, steps: 4, randomStart: true, seed: 9 });
    const plain = runAttack(model, images, labels, attack);
    const scaled = runAttack(rescaledFeatures(model, 4), images, labels, attack);
    expect(scaled.epsilonUsed).toBeCloseTo(4 * plain.epsilonUsed, 5);
    expect(values(scaled.adversarialPredictions)).toEqual(values(plain.adversarialPredictions));
    const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(scaled.adversarial, tf.mul(plain.adversarial, 4)))).dataSync()[0]);
    expect(gap).toBeLessThan(1e-4 * scaled.epsilonUsed);
    disposeAttackResult(plain);
    disposeAttackResult(scaled);
  });

  it.each([
    ['images', () => tf.zeros([2, 8, 8, 3]), () => tf.zeros([2], 'int32'), /images: shape must be \[batch, 8, 8, 1\]/],
    ['images', () => tf.zeros([2, 8, 8, 1], 'int32'), () => tf.zeros([2], 'int32'), /images: dtype must be float32/],
    ['images', () => tf.fill([2, 8, 8, 1], 1.5), () => tf.zeros([2], 'int32'), /images: pixel values must be in \[0, 1\]/],
    ['images', () => tf.fill([2, 8, 8, 1], NaN), () => tf.zeros([2], 'int32'), /images: pixel values must be in \[0, 1\], got NaN/],
    ['labels', () => tf.zeros([2, 8, 8, 1]), () => tf.tensor1d([0, 4], 'int32'), /labels: each label must be in \[0, 4\), got 4/],
    ['labels', () => tf.zeros([2, 8, 8, 1]), () => tf.tensor1d([0, -1], 'int32'), /labels: each label must be in \[0, 4\), got -1/],
    ['labels', () => tf.zeros([2, 8, 8, 1]), () => tf.zeros([3], 'int32'), /labels: shape must be \[2\]/],
    ['labels', () => tf.zeros([2, 8, 8, 1]), () => tf.zeros([2]), /labels: dtype must be int32/],
  ])('rejects bad %s with an AttackArgumentError naming it', (_field, makeImages, makeLabels, message) => {
    const [badImages, badLabels] = [makeImages(), makeLabels()];
    const before = tf.memory().numTensors;
    const attack = () => runAttack(model, badImages as tf.Tensor4D, badLabels as tf.Tensor1D, DEFAULT_ATTACK);
    expect(attack).toThrow(AttackArgumentError);
    expect(attack).toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([badImages, badLabels]);
  });

  it('rejects a feature-space attack on constant images (no pixel scale)', () => {
    const flat = tf.fill([2, 8, 8, 1], 0.5) as tf.Tensor4D;
    const two = tf.zeros([2], 'int32') as tf.Tensor1D;
    expect(() => runAttack(model, flat, two, spec({ space: 'feature' }))).toThrow(/images: a feature-space budget needs a pixel std > 0/);
    tf.dispose([flat, two]);
  });

  it('leaves no tensors behind in either space, for either method', () => {
    const before = tf.memory().numTensors;
    for (const space of ['pixel', 'feature'] as const) {
      for (const method of ['fgsm', 'pgd'] as const) disposeAttackResult(runAttack(model, images, labels, spec({ space, method, randomStart: true })));
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
