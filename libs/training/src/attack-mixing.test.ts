import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_ATTACK } from '@conjugate/attacks';
import { initBackend } from '@conjugate/backend';
import { createClassifier } from '@conjugate/models';
import { mixAdversarial } from './adversarial-mixing';
import { attackMixing } from './attack-mixing';
import { batchesOf } from './batch';
import { createOptimizer } from './optimizer';
import { quadrantImages } from './test-data';
import { trainEpoch } from './train-epoch';

beforeAll(async () => {
  await initBackend();
});

it('PGD mixing moves the first half of a batch within ε, raises its loss, leaves the rest, leaks nothing', async () => {
  const model = createClassifier({ architecture: 'tiny', inputShape: [8, 8, 1], numClasses: 4, seed: 2 });
  const data = quadrantImages(32, 4);
  const optimizer = createOptimizer('adam', 0.01);
  for (let epoch = 0; epoch < 3; epoch++) await trainEpoch(model, batchesOf(data.images, data.labels, 8), optimizer);

  const spec = { ...DEFAULT_ATTACK, epsilon: 0.1, stepSize: 0.03 };
  const before = tf.memory().numTensors;
  const mixed = mixAdversarial(attackMixing(0.5, spec), model, data.images, data.labels);
  const [maxShiftAttacked, maxShiftRest, lossClean, lossMixed] = tf.tidy(() => {
    const shift = tf.abs(tf.sub(mixed, data.images));
    const loss = (x: tf.Tensor4D) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.slice(data.labels, 0, 16), 4), model.logits(tf.slice(x, 0, 16))).dataSync()[0];
    return [tf.max(tf.slice(shift, 0, 16)).dataSync()[0], tf.max(tf.slice(shift, 16)).dataSync()[0], loss(data.images), loss(mixed)];
  });
  expect(maxShiftAttacked).toBeGreaterThan(0);
  expect(maxShiftAttacked).toBeLessThanOrEqual(0.1 + 1e-6);
  expect(maxShiftRest).toBe(0);
  expect(lossMixed).toBeGreaterThan(lossClean);
  mixed.dispose();
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose(data);
  optimizer.dispose();
  model.dispose();
});

it('refuses a ratio outside [0, 1] and a feature-space attack', () => {
  expect(() => attackMixing(1.5, { ...DEFAULT_ATTACK })).toThrow(/ratio/);
  expect(() => attackMixing(0.5, { ...DEFAULT_ATTACK, space: 'feature' })).toThrow(/pixel/);
});
