import * as tf from '@tensorflow/tfjs-core';
import type { Attack } from './attack-surface';
import { lossGradient } from './loss';
import { ascentStep, perturbWithinBox } from './perturbation-ball';

/**
 * Fast gradient (sign) method, Goodfellow et al. 2015: one step of length ε up the loss gradient —
 * x + ε·sign(∇l) for L∞, x + ε·∇l/|∇l| for L2 — clipped into the valid box. Step size, steps and
 * random start do not apply.
 */
export const fgsm: Attack = (surface, inputs, labels, budget) =>
  tf.tidy(() => {
    const gradient = lossGradient((x) => surface.logits(x), inputs, labels);
    return perturbWithinBox(inputs, ascentStep(gradient, budget.norm, budget.epsilon), surface.lower, surface.upper);
  });
