import * as tf from '@tensorflow/tfjs-core';
import type { Attack, AttackSurface, PerturbationBudget } from './attack-surface';
import { lossGradient } from './loss';
import { ascentStep, perturbWithinBox, projectToBall, uniformInBall } from './perturbation-ball';
import { yieldToEventLoop } from './yield';

function startingPoint(surface: AttackSurface, inputs: tf.Tensor, budget: PerturbationBudget): tf.Tensor {
  return tf.tidy(() =>
    budget.randomStart
      ? perturbWithinBox(inputs, uniformInBall(inputs.shape, budget.norm, budget.epsilon, budget.seed), surface.lower, surface.upper)
      : tf.clone(inputs),
  );
}

/** One ascent step from `adversarial`, projected onto the ε-ball and clipped into the box (a new tensor). */
function step(surface: AttackSurface, inputs: tf.Tensor, labels: tf.Tensor1D, adversarial: tf.Tensor, budget: PerturbationBudget): tf.Tensor {
  return tf.tidy(() => {
    const gradient = lossGradient((x) => surface.logits(x), adversarial, labels);
    const moved = tf.add(adversarial, ascentStep(gradient, budget.norm, budget.stepSize));
    const delta = projectToBall(tf.sub(moved, inputs), budget.norm, budget.epsilon);
    return perturbWithinBox(inputs, delta, surface.lower, surface.upper);
  });
}

/**
 * Projected gradient descent on the loss, Madry et al. 2018: from the clean inputs (or a seeded
 * uniform point of the ε-ball), `steps` ascent steps of `stepSize`, each followed by projection
 * onto the ε-ball around the clean inputs and clipping into the valid box. Clipping a point of the
 * ball into the box (which holds the clean inputs) never leaves the ball, so every iterate is valid.
 */
export const pgd: Attack = (surface, inputs, labels, budget) => {
  let adversarial = startingPoint(surface, inputs, budget);
  for (let i = 0; i < budget.steps; i++) {
    const next = step(surface, inputs, labels, adversarial, budget);
    adversarial.dispose();
    adversarial = next;
  }
  return adversarial;
};

/**
 * The same iterates as `pgd`, yielding to the event loop before each step (so a service keeps
 * answering health checks) and stopping with the signal's reason once it aborts, its tensors freed.
 */
export async function pgdCancellable(
  surface: AttackSurface,
  inputs: tf.Tensor,
  labels: tf.Tensor1D,
  budget: PerturbationBudget,
  signal: AbortSignal,
): Promise<tf.Tensor> {
  let adversarial = startingPoint(surface, inputs, budget);
  try {
    for (let i = 0; i < budget.steps; i++) {
      await yieldToEventLoop();
      signal.throwIfAborted();
      const next = step(surface, inputs, labels, adversarial, budget);
      adversarial.dispose();
      adversarial = next;
    }
    return adversarial;
  } catch (error) {
    adversarial.dispose();
    throw error;
  }
}
