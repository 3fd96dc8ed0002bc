import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { createClassifier, type TrainableClassifier } from '@conjugate/models';
import type { AttackSurface, PerturbationBudget } from './attack-surface';
import { fgsm } from './fgsm';
import { perExampleNorms } from './perturbation-ball';
import { pgd, pgdCancellable } from './pgd';
import { meanLoss, randomBatch } from './test-support';

const shape: [number, number, number] = [8, 8, 1];
let model: TrainableClassifier;
let surface: AttackSurface;
let images: tf.Tensor4D;
let labels: tf.Tensor1D;

beforeAll(async () => {
  await initBackend();
  model = createClassifier({ architecture: 'tiny', inputShape: shape, numClasses: 4, seed: 5 });
  surface = { logits: (x) => model.logits(x as tf.Tensor4D), lower: 0, upper: 1 };
  ({ images, labels } = randomBatch(16, shape, 4, 11));
});
afterAll(() => {
  tf.dispose([images, labels]);
  model.dispose();
});

const budget = (overrides: Partial<PerturbationBudget>): PerturbationBudget => ({ norm: 'linf', epsilon: 8 / 255, stepSize: 2 / 255, steps: 4, randomStart: false, seed: 0, ...overrides });

function maxOf(t: tf.Tensor): number {
  return tf.tidy(() => tf.max(t).dataSync()[0]);
}
function minOf(t: tf.Tensor): number {
  return tf.tidy(() => tf.min(t).dataSync()[0]);
}

describe('pgd', () => {
  it.each([
    ['linf', 8 / 255, 2 / 255, false],
    ['linf', 0.3, 0.1, true],
    ['l2', 1.0, 0.4, false],
    ['l2', 2.0, 0.8, true],
  ] as const)('keeps every iterate in the %s ball of radius %f and in [0, 1] (step %f, random start %s)', (norm, epsilon, stepSize, randomStart) => {
    for (let steps = 0; steps <= 6; steps++) {
      const adversarial = pgd(surface, images, labels, budget({ norm, epsilon, stepSize, steps, randomStart, seed: 3 }));
      const norms = tf.tidy(() => perExampleNorms(tf.sub(adversarial, images), norm));
      expect(maxOf(norms)).toBeLessThanOrEqual(epsilon * (1 + 1e-5));
      expect(minOf(adversarial)).toBeGreaterThanOrEqual(0);
      expect(maxOf(adversarial)).toBeLessThanOrEqual(1);
      if (steps === 6) expect(maxOf(norms)).toBeGreaterThan(epsilon / 2); // it moved
      tf.dispose([adversarial, norms]);
    }
  });

  it('raises the loss more than FGSM, which raises it above the clean loss (on average)', () => {
    const attack = budget({ epsilon: 0.1, stepSize: 0.025, steps: 10 });
    const viaPgd = pgd(surface, images, labels, attack);
    const viaFgsm = fgsm(surface, images, labels, attack);
    const clean = meanLoss(model.logits(images), labels);
    const afterFgsm = meanLoss(model.logits(viaFgsm as tf.Tensor4D), labels);
    const afterPgd = meanLoss(model.logits(viaPgd as tf.Tensor4D), labels);
    expect(afterFgsm).toBeGreaterThan(clean);
    expect(afterPgd).toBeGreaterThanOrEqual(afterFgsm);
    tf.dispose([viaPgd, viaFgsm]);
  });

  it('starts at the same random point for the same seed, at another for another seed', () => {
    const start = (seed: number, norm: 'linf' | 'l2') => pgd(surface, images, labels, budget({ norm, epsilon: 0.5, steps: 0, randomStart: true, seed }));
    for (const norm of ['linf', 'l2'] as const) {
      const [a, b, c] = [start(0, norm), start(0, norm), start(1, norm)];
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
      expect(maxOf(tf.abs(tf.sub(a, c)))).toBeGreaterThan(0.01);
      expect(maxOf(tf.abs(tf.sub(a, images)))).toBeGreaterThan(0.01);
      tf.dispose([a, b, c]);
    }
  });

  it('without random start or steps returns the clean inputs, and leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    const unchanged = pgd(surface, images, labels, budget({ steps: 0 }));
    expect(Array.from(unchanged.dataSync())).toEqual(Array.from(images.dataSync()));
    unchanged.dispose();
    pgd(surface, images, labels, budget({ steps: 3, randomStart: true })).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('pgdCancellable', () => {
  it('walks the same iterates as pgd when nothing aborts', async () => {
    const b = budget({ steps: 3, randomStart: true, seed: 4 });
    const expected = pgd(surface, images, labels, b);
    const actual = await pgdCancellable(surface, images, labels, b, new AbortController().signal);
    expect(Array.from(actual.dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([expected, actual]);
  });

  it('stops between steps once the signal aborts, with its reason, leaving no tensors behind', async () => {
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    let steps = 0;
    const counting: AttackSurface = {
      ...surface,
      logits: (x) => {
        if (++steps === 2) controller.abort(new Error('deadline'));
        return surface.logits(x);
      },
    };
    await expect(pgdCancellable(counting, images, labels, budget({ steps: 1000 }), controller.signal)).rejects.toThrow('deadline');
    expect(steps).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
  });
});
