import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '@conjugate/models';
import type { AttackSpec } from './attack-spec';
import { disposeAttackResult, runAttack, runAttackCancellable, type AttackOptions, type CancellableAttackOptions } from './run-attack';

/** How many images were classified correctly before, and still after, an attack. */
export interface RobustnessCounts {
  total: number;
  cleanCorrect: number;
  /** Correct both before and after the attack: an image already misclassified counts as a failure. */
  robustCorrect: number;
}

export const NO_IMAGES: Readonly<RobustnessCounts> = Object.freeze({ total: 0, cleanCorrect: 0, robustCorrect: 0 });

export function countRobustness(labels: tf.Tensor1D, cleanPredictions: tf.Tensor1D, adversarialPredictions: tf.Tensor1D): RobustnessCounts {
  const truth = labels.dataSync();
  const clean = cleanPredictions.dataSync();
  const adversarial = adversarialPredictions.dataSync();
  let cleanCorrect = 0;
  let robustCorrect = 0;
  for (let i = 0; i < truth.length; i++) {
    if (clean[i] !== truth[i]) continue;
    cleanCorrect++;
    if (adversarial[i] === truth[i]) robustCorrect++;
  }
  return { total: truth.length, cleanCorrect, robustCorrect };
}

export function addCounts(a: RobustnessCounts, b: RobustnessCounts): RobustnessCounts {
  return { total: a.total + b.total, cleanCorrect: a.cleanCorrect + b.cleanCorrect, robustCorrect: a.robustCorrect + b.robustCorrect };
}

/** Clean and robust accuracy (shares of all images; NaN when there are none). */
export function accuracies(counts: RobustnessCounts): { clean: number; robust: number } {
  return { clean: counts.cleanCorrect / counts.total, robust: counts.robustCorrect / counts.total };
}

/** Attacks one batch and counts; no tensors left behind. */
export function robustnessOfBatch(classifier: Classifier, images: tf.Tensor4D, labels: tf.Tensor1D, spec: AttackSpec, options: AttackOptions = {}): RobustnessCounts {
  const result = runAttack(classifier, images, labels, spec, options);
  try {
    return countRobustness(labels, result.cleanPredictions, result.adversarialPredictions);
  } finally {
    disposeAttackResult(result);
  }
}

/** `robustnessOfBatch` that stops between PGD steps once `options.signal` aborts (see runAttackCancellable). */
export async function robustnessOfBatchCancellable(
  classifier: Classifier,
  images: tf.Tensor4D,
  labels: tf.Tensor1D,
  spec: AttackSpec,
  options: CancellableAttackOptions,
): Promise<RobustnessCounts> {
  const result = await runAttackCancellable(classifier, images, labels, spec, options);
  try {
    return countRobustness(labels, result.cleanPredictions, result.adversarialPredictions);
  } finally {
    disposeAttackResult(result);
  }
}
