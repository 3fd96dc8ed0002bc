import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { createClassifier } from '@conjugate/models';
import { batchesOf } from './batch';
import { evaluateAccuracy } from './evaluate-accuracy';

beforeAll(async () => {
  await initBackend();
});

it('counts a hand-set linear model exactly: accuracy and mean cross-entropy', async () => {
  // Two pixels, two classes; logits = pixels, so the brighter pixel wins.
  const model = createClassifier({ architecture: 'linear', inputShape: [1, 2, 1], numClasses: 2, seed: 1 });
  model.weight('logits/kernel')!.assign(tf.tensor2d([[1, 0], [0, 1]]));
  model.weight('logits/bias')!.assign(tf.zeros([2]));
  const images = tf.tensor4d([1, 0, 0, 1, 1, 0, 0, 0], [4, 1, 2, 1]);
  const labels = tf.tensor1d([0, 1, 1, 0], 'int32'); // right, right, wrong, tie (argMax picks 0: right)
  const result = await evaluateAccuracy(model, batchesOf(images, labels, 3));
  expect(result.accuracy).toBe(3 / 4);
  const e = Math.E;
  const expectedLoss = (2 * Math.log(1 + 1 / e) + Math.log(1 + e) + Math.log(2)) / 4;
  expect(result.loss).toBeCloseTo(expectedLoss, 6);
  tf.dispose([images, labels]);
  model.dispose();
});
