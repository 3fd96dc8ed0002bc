import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { createClassifier } from '@conjugate/models';
import { mixAdversarial, type AdversarialMixing } from './adversarial-mixing';

beforeAll(async () => {
  await initBackend();
});

// An "attack" that paints its images white: easy to see which rows were replaced.
const whiteOut: AdversarialMixing['attack'] = (_c, images) => tf.onesLike(images);

it.each([
  [0, [0, 0, 0, 0]],
  [0.5, [1, 1, 0, 0]],
  [0.3, [1, 1, 0, 0]], // ⌈0.3·4⌉ = 2
  [1, [1, 1, 1, 1]],
])('ratio %p replaces the first ⌈ratio·B⌉ images', (ratio, expected) => {
  const model = createClassifier({ architecture: 'linear', inputShape: [2, 2, 1], numClasses: 2, seed: 1 });
  const images = tf.zeros([4, 2, 2, 1]) as tf.Tensor4D;
  const labels = tf.tensor1d([0, 1, 0, 1], 'int32');
  const before = tf.memory().numTensors;
  const mixed = mixAdversarial({ ratio, attack: whiteOut }, model, images, labels);
  const rowMax = tf.max(mixed, [1, 2, 3]);
  expect(Array.from(rowMax.dataSync())).toEqual(expected);
  tf.dispose([mixed, rowMax]);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([images, labels]);
  model.dispose();
});
