import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '@conjugate/models';
import type { AttackSpec, SpaceName } from './attack-spec';
import type { Attack, AttackSurface, PerturbationBudget } from './attack-surface';
import { validateAttackInputs } from './attack-inputs';
import { fgsm } from './fgsm';
import { predictions } from './loss';
import { perExampleNorms } from './perturbation-ball';
import { pgd, pgdCancellable } from './pgd';
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
  /** g(images) computed elsewhere (e.g. while measuring the scale), used instead of a pass of g for the clean predictions (and in feature space as the attack's start); not disposed. */
  cleanFeatures?: tf.Tensor2D;
}

const ATTACKS: Record<AttackSpec['method'], Attack> = { fgsm, pgd };

export interface CancellableAttackOptions extends AttackOptions {
  /** Checked between PGD steps (which yield to the event loop); aborting stops the attack with its reason. */
  signal: AbortSignal;
}

/** Everything an attack needs besides its own loop; `dispose` frees what was made here. */
interface PreparedAttack {
  surface: AttackSurface;
  clean: tf.Tensor;
  cleanPredictions: tf.Tensor1D;
  budget: PerturbationBudget;
  dispose(): void;
}

function prepare(classifier: Classifier, images: tf.Tensor4D, labels: tf.Tensor1D, spec: AttackSpec, options: AttackOptions): PreparedAttack {
  validateAttackInputs(classifier.spec, images, labels);
  const scale = spec.space === 'feature' ? (options.scale ?? measureSpaceScale(classifier, images)) : undefined;
  const { epsilon, stepSize } = absoluteBudget(spec, scale);
  const budget: PerturbationBudget = { norm: spec.norm, epsilon, stepSize, steps: spec.steps, randomStart: spec.randomStart, seed: spec.seed };
  const { cleanPredictions, clean } = tf.tidy(() => {
    // logits = h(g(x)): the features once, for the predictions and, in feature space, as the attack's start.
    const features = options.cleanFeatures ? tf.clone(options.cleanFeatures) : classifier.features(images);
    if (spec.space === 'pixel') return { cleanPredictions: predictions(classifier.head(features)), clean: tf.clone(images) };
    return { cleanPredictions: predictions(classifier.head(features)), clean: features };
  });
  const surface: AttackSurface =
    spec.space === 'pixel'
      ? { logits: (x) => classifier.logits(x as tf.Tensor4D), lower: 0, upper: 1 }
      : { logits: (z) => classifier.head(z as tf.Tensor2D), lower: scale?.nonNegativeFeatures ? 0 : -Infinity, upper: Infinity };
  return { surface, clean, cleanPredictions, budget, dispose: () => tf.dispose([clean, cleanPredictions]) };
}

// Takes ownership of `adversarial` and of the prepared tensors the result keeps.
function finish(prepared: PreparedAttack, adversarial: tf.Tensor, spec: AttackSpec): AttackResult {
  const { adversarialPredictions, perturbationNorms } = tf.tidy(() => ({
    adversarialPredictions: predictions(prepared.surface.logits(adversarial)),
    perturbationNorms: perExampleNorms(tf.sub(adversarial, prepared.clean), spec.norm),
  }));
  prepared.clean.dispose();
  return {
    adversarial,
    cleanPredictions: prepared.cleanPredictions,
    adversarialPredictions,
    perturbationNorms,
    space: spec.space,
    epsilonUsed: prepared.budget.epsilon,
    stepSizeUsed: prepared.budget.stepSize,
  };
}

/**
 * Attacks a batch of images [B, H, W, C] in [0, 1] with int32 labels [B] as `spec` says, in pixel
 * space (through the whole classifier) or in feature space (perturbing z = g(x) through the head h).
 * Inputs are validated (AttackArgumentError) and not disposed; the result's tensors are the caller's
 * (`disposeAttackResult`).
 */
export function runAttack(classifier: Classifier, images: tf.Tensor4D, labels: tf.Tensor1D, spec: AttackSpec, options: AttackOptions = {}): AttackResult {
  const prepared = prepare(classifier, images, labels, spec, options);
  let adversarial: tf.Tensor;
  try {
    adversarial = tf.tidy(() => ATTACKS[spec.method](prepared.surface, prepared.clean, labels, prepared.budget));
  } catch (error) {
    prepared.dispose();
    throw error;
  }
  return finish(prepared, adversarial, spec);
}

/**
 * `runAttack` for services: PGD yields to the event loop between steps and stops once `signal`
 * aborts (deadline, cancellation), leaving no tensors behind; the result is the same as runAttack's.
 */
export async function runAttackCancellable(
  classifier: Classifier,
  images: tf.Tensor4D,
  labels: tf.Tensor1D,
  spec: AttackSpec,
  options: CancellableAttackOptions,
): Promise<AttackResult> {
  options.signal.throwIfAborted();
  const prepared = prepare(classifier, images, labels, spec, options);
  let adversarial: tf.Tensor;
  try {
    adversarial =
      spec.method === 'pgd'
        ? await pgdCancellable(prepared.surface, prepared.clean, labels, prepared.budget, options.signal)
        : tf.tidy(() => ATTACKS[spec.method](prepared.surface, prepared.clean, labels, prepared.budget));
  } catch (error) {
    prepared.dispose();
    throw error;
  }
  return finish(prepared, adversarial, spec);
}

export function disposeAttackResult(result: AttackResult): void {
  tf.dispose([result.adversarial, result.cleanPredictions, result.adversarialPredictions, result.perturbationNorms]);
}
