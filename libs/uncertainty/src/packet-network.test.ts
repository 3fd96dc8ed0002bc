import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import type { TrainableClassifier } from '@conjugate/models';
import { estimateOnClassifier } from './estimate';
import { resolveEstimateOptions } from './estimate-options';
import { quadrantImages, trainedTiny } from './trained-tiny';

// Spec §5 case 4 on a trained `tiny` network: every point's mean product ≥ 1/2 − 3 SE, allowing for
// the O(1/ESS) bias of self-normalised importance sampling (1/(4·ESS)).
let classifier: TrainableClassifier;
let images: tf.Tensor4D;
let labels: number[];

beforeAll(async () => {
  await initBackend();
  classifier = trainedTiny();
  ({ images, labels } = quadrantImages(6, 99));
});

afterAll(() => {
  classifier.dispose();
  images.dispose();
});

it('the network is trained (its log-loss is not flat)', () => {
  const accuracy = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(classifier.logits(images), 1), tf.tensor1d(labels, 'int32')), 'float32')).dataSync()[0]);
  expect(accuracy).toBe(1);
});

describe.each(['pixel', 'feature'] as const)('packet bound on a trained tiny network, %s space', (space) => {
  it('every point: mean product ≥ 1/2 − 3 SE − 1/(4·ESS)', async () => {
    const options = resolveEstimateOptions({ estimator: 'packet', space, samplesPerPoint: 512, seed: 4 });
    const outcome = await estimateOnClassifier(classifier, images, labels, labels.map((_, k) => k), options);
    const report = outcome.packet!.report;
    expect(report.points).toHaveLength(6);
    for (const point of report.points) {
      const { meanProduct, ess } = point.values;
      expect(meanProduct.standardError).toBeGreaterThan(0);
      expect(meanProduct.value).toBeGreaterThanOrEqual(0.5 - 3 * meanProduct.standardError - 1 / (4 * ess.value));
      // The estimate is near the bound, not merely above it (a broken estimator overshoots).
      expect(meanProduct.value).toBeLessThan(0.6);
    }
    if (space === 'feature') {
      expect(outcome.packet!.statistics.sigma).toBeCloseTo(((8 / 255) / outcome.stdPixel) * outcome.stdFeature, 10);
    } else {
      expect(outcome.packet!.statistics.sigma).toBe(8 / 255);
    }
    expect(report.overall.shift.value).toBeGreaterThan(0);
  });
});

it('the error of the mean product falls about as 1/√N on the trained network (16× N → ¼ the SE)', async () => {
  const one = tf.slice(images, 0, 1);
  const errorAt = async (samplesPerPoint: number) => {
    const options = resolveEstimateOptions({ estimator: 'packet', space: 'pixel', samplesPerPoint, seed: 8, jackknifeBatches: 16 });
    const outcome = await estimateOnClassifier(classifier, one, labels.slice(0, 1), [0], options);
    return outcome.packet!.report.points[0].values.meanProduct;
  };
  const small = await errorAt(256);
  const large = await errorAt(4096);
  one.dispose();
  const ratio = small.standardError / large.standardError;
  expect(ratio).toBeGreaterThan(2.5);
  expect(ratio).toBeLessThan(6.5);
  // Both within 3 SE of each other's value: the estimate converges, it does not drift.
  expect(Math.abs(small.value - large.value)).toBeLessThan(3 * Math.hypot(small.standardError, large.standardError));
});
