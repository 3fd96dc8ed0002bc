import { setImmediate } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import type { TrainableClassifier } from '@conjugate/models';
import { estimateOnClassifier } from './estimate';
import { resolveEstimateOptions } from './estimate-options';
import { quadrantImages, trainedTiny } from './trained-tiny';

// Cancellation reaches the estimators' inner loops (issue 19): a long estimate yields to the event loop and
// stops once its signal aborts, with every tensor it made freed.
let classifier: TrainableClassifier;
let images: tf.Tensor4D;
let labels: number[];

beforeAll(async () => {
  await initBackend();
  classifier = trainedTiny();
  ({ images, labels } = quadrantImages(4, 5));
});
afterAll(() => {
  classifier.dispose();
  images.dispose();
});

/** Aborts `controller` after `turns` turns of the event loop (which only come when the work yields). */
async function abortAfterTurns(controller: AbortController, turns: number): Promise<number> {
  let seen = 0;
  while (!controller.signal.aborted) {
    await setImmediate();
    if (++seen === turns) controller.abort(new Error('cancelled by the test'));
  }
  return seen;
}

it.each([
  // One point with 8192 samples in batches of 8: the sampler must stop between batches of that point.
  ['packet, inside one point', { estimator: 'packet', space: 'pixel', samplesPerPoint: 8192, batchSize: 8, seed: 1 }, [0]],
  // 10^5 bootstrap resamples over 4 points: stops between the resampling slices.
  ['ensemble, in the bootstrap', { estimator: 'ensemble', space: 'feature', bootstrapResamples: 100_000, seed: 1 }, [0, 1, 2, 3]],
] as const)('%s: stops at the signal and frees its tensors', async (_where, partial, points) => {
  const before = tf.memory().numTensors;
  const controller = new AbortController();
  const turns = abortAfterTurns(controller, 5);
  const chosen = tf.gather(images, [...points]) as tf.Tensor4D;
  try {
    const estimate = estimateOnClassifier(classifier, chosen, points.map((k) => labels[k]), [...points], resolveEstimateOptions(partial), { signal: controller.signal });
    await expect(estimate).rejects.toThrow('cancelled by the test');
  } finally {
    chosen.dispose();
  }
  expect(await turns).toBe(5);
  expect(tf.memory().numTensors).toBe(before);
});
