import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '@conjugate/models';
import type { AttackSpec, SpaceName } from './attack-spec';
import type { Attack, AttackSurface, PerturbationBudget } from './attack-surface';
import { validateAttackInputs } from './attack-inputs';
import { fgsm } from './fgsm';
import { predictions } from './loss';
import { perExampleNorms } from './perturbation-ball';
import { pgd } from './pgd';
import { absoluteBudget, measureSpaceScale, type SpaceScale } from './space-scale';

export interface AttackResult {
  /** Adversarial images [B, H, W, C] (pixel space) or adversarial features [B, D] (feature space). */
  adversarial: tf.Tensor;
  /** int32 [B] predictions before and after the attack. */
  cleanPredictions: tf.Tensor1D;
  adversarialPredictions: tf.Tensor1D;
  /** float32 [B] norm of each perturbation, in the attack's norm and space. */
  perturbationNorms: tf.Tensor1D;
  space: SpaceName;
  /** Absolute budget and step size used (in feature units for a feature-space attack). */
  epsilonUsed: number;
  stepSizeUsed: number;
}

export interface AttackOptions {
  /**
   * Feature-space scale measured elsewhere, e.g. over a whole dataset slice; by default it is
   * measured over the attacked images.
   */
  scale?: SpaceScale;
}

const ATTACKS: Record<AttackSpec['method'], Attack> = { fgsm, pgd };

/**
 * Attacks a batch of images [B, H, W, C] in [0, 1] with int32 labels [B] as `spec` says, in pixel
 * space (through the whole classifier) or in feature space (perturbing z = g(x) through the head h).
 * Inputs are validated (AttackArgumentError) and not disposed; the result's tensors are the caller's
 * (`disposeAttackResult`).
 */
export function runAttack(classifier: Classifier, images: tf.Tensor4D, labels: tf.Tensor1D, spec: AttackSpec, options: AttackOptions = {}): AttackResult {
  validateAttackInputs(classifier.spec, images, labels);
  const scale = spec.space === 'feature' ? (options.scale ?? measureSpaceScale(classifier, images)) : undefined;
  const { epsilon, stepSize } = absoluteBudget(spec, scale);
  const budget: PerturbationBudget = { norm: spec.norm, epsilon, stepSize, steps: spec.steps, randomStart: spec.randomStart, seed: spec.seed };
  const attack = ATTACKS[spec.method];

  const tensors = tf.tidy(() => {
    const cleanPredictions = predictions(classifier.logits(images));
    const clean = spec.space === 'pixel' ? images : classifier.features(images);
    const surface: AttackSurface =
      spec.space === 'pixel'
        ? { logits: (x) => classifier.logits(x as tf.Tensor4D), lower: 0, upper: 1 }
        : { logits: (z) => classifier.head(z as tf.Tensor2D), lower: scale?.nonNegativeFeatures ? 0 : -Infinity, upper: Infinity };
    const adversarial = attack(surface, clean, labels, budget);
    return {
      adversarial,
      cleanPredictions,
      adversarialPredictions: predictions(surface.logits(adversarial)),
      perturbationNorms: perExampleNorms(tf.sub(adversarial, clean), spec.norm),
    };
  });
  return { ...tensors, space: spec.space, epsilonUsed: epsilon, stepSizeUsed: stepSize };
}

export function disposeAttackResult(result: AttackResult): void {
  tf.dispose([result.adversarial, result.cleanPredictions, result.adversarialPredictions, result.perturbationNorms]);
}
