import type * as tf from '@tensorflow/tfjs-core';

/**
 * What a gradient attack sees: a differentiable map from the attacked inputs to logits, and the box
 * the inputs must stay in. Pixel space is the classifier on images in [0, 1]; feature space is its
 * head on features (≥ 0 when they come out of a ReLU). The attacks themselves know nothing else.
 */
export interface AttackSurface {
  logits(inputs: tf.Tensor): tf.Tensor2D;
  /** Lowest valid value of any input element (−Infinity when unbounded). */
  lower: number;
  /** Highest valid value of any input element (Infinity when unbounded). */
  upper: number;
}

/** The ball a perturbation lives in and how PGD walks it (absolute units of the attacked space). */
export interface PerturbationBudget {
  norm: 'linf' | 'l2';
  epsilon: number;
  stepSize: number;
  steps: number;
  randomStart: boolean;
  seed: number;
}

/**
 * The one call every attack offers (torchattacks / Foolbox style): adversarial inputs for `inputs`
 * (a batch, first axis) with int32 `labels`. Inputs are not disposed; the result is the caller's.
 */
export type Attack = (surface: AttackSurface, inputs: tf.Tensor, labels: tf.Tensor1D, budget: PerturbationBudget) => tf.Tensor;
