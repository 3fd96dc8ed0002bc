import * as tf from '@tensorflow/tfjs-core';
import type { Attack } from './attack-surface';
import { lossGradient } from './loss';
import { ascentStep, perturbWithinBox, projectToBall, uniformInBall } from './perturbation-ball';

/**
 * Projected gradient descent on the loss, Madry et al. 2018: from the clean inputs (or a seeded
 * uniform point of the ε-ball), `steps` ascent steps of `stepSize`, each followed by projection
 * onto the ε-ball around the clean inputs and clipping into the valid box. Clipping a point of the
 * ball into the box (which holds the clean inputs) never leaves the ball, so every iterate is valid.
 */
export const pgd: Attack = (surface, inputs, labels, budget) => {
  const { norm, epsilon, stepSize, steps } = budget;
  let adversarial = tf.tidy(() =>
    budget.randomStart
      ? perturbWithinBox(inputs, uniformInBall(inputs.shape, norm, epsilon, budget.seed), surface.lower, surface.upper)
      : tf.clone(inputs),
  );
  for (let step = 0; step < steps; step++) {
    const next = tf.tidy(() => {
      const gradient = lossGradient((x) => surface.logits(x), adversarial, labels);
      const moved = tf.add(adversarial, ascentStep(gradient, norm, stepSize));
      const delta = projectToBall(tf.sub(moved, inputs), norm, epsilon);
      return perturbWithinBox(inputs, delta, surface.lower, surface.upper);
    });
    adversarial.dispose();
    adversarial = next;
  }
  return adversarial;
};
