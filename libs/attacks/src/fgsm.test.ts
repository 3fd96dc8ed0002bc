import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import type { AttackSurface, PerturbationBudget } from './attack-surface';
import { fgsm } from './fgsm';
import { linearModel, randomBatch } from './test-support';

beforeAll(() => initBackend());

const shape: [number, number, number] = [4, 4, 1];
const classes = 3;

/** FGSM on softmax regression in float64: ∇x l = W (softmax(Wᵀx + b) − onehot(y)), then step and clip. */
function closedFormFgsm(x: Float32Array, label: number, kernel: Float32Array, bias: Float32Array, epsilon: number, norm: 'linf' | 'l2'): number[] {
  const d = x.length;
  const logits = Array.from(bias, (b, k) => b + x.reduce((sum, xi, i) => sum + xi * kernel[i * classes + k], 0));
  const top = Math.max(...logits);
  const exp = logits.map((z) => Math.exp(z - top));
  const total = exp.reduce((a, b) => a + b, 0);
  const residual = exp.map((e, k) => e / total - (k === label ? 1 : 0));
  const gradient = Array.from({ length: d }, (_, i) => residual.reduce((sum, r, k) => sum + r * kernel[i * classes + k], 0));
  const length = Math.hypot(...gradient);
  const step = gradient.map((g) => (norm === 'linf' ? Math.sign(g) * epsilon : (g / length) * epsilon));
  return Array.from(x, (xi, i) => Math.min(1, Math.max(0, xi + step[i])));
}

describe('fgsm', () => {
  it.each(['linf', 'l2'] as const)('equals its closed form on a linear softmax model (%s)', (norm) => {
    const model = linearModel(shape, classes, 3);
    const { images, labels } = randomBatch(6, shape, classes, 1);
    const surface: AttackSurface = { logits: (x) => model.logits(x as tf.Tensor4D), lower: 0, upper: 1 };
    const budget: PerturbationBudget = { norm, epsilon: norm === 'linf' ? 0.1 : 0.5, stepSize: 0, steps: 0, randomStart: false, seed: 0 };

    const adversarial = fgsm(surface, images, labels, budget);

    const kernel = model.weight('logits/kernel')!.dataSync() as Float32Array;
    const bias = model.weight('logits/bias')!.dataSync() as Float32Array;
    const pixels = images.dataSync() as Float32Array;
    const got = adversarial.dataSync();
    const d = 16;
    labels.dataSync().forEach((label, b) => {
      const expected = closedFormFgsm(pixels.slice(b * d, (b + 1) * d), label, kernel, bias, budget.epsilon, norm);
      expected.forEach((value, i) => expect(got[b * d + i]).toBeCloseTo(value, 5));
    });
    tf.dispose([adversarial, images, labels]);
    model.dispose();
  });

  it('leaves no tensors behind', () => {
    const model = linearModel(shape, classes, 3);
    const { images, labels } = randomBatch(2, shape, classes, 2);
    const before = tf.memory().numTensors;
    const adversarial = fgsm({ logits: (x) => model.logits(x as tf.Tensor4D), lower: 0, upper: 1 }, images, labels, { norm: 'linf', epsilon: 0.1, stepSize: 0, steps: 0, randomStart: false, seed: 0 });
    adversarial.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([images, labels]);
    model.dispose();
  });
});
