import type { AttackSpec } from '@conjugate/attacks';
import type { TrainableClassifier } from '@conjugate/models';
import { checkCost } from '@conjugate/service-kit';

/** Largest split of any registered dataset (MNIST train): what a slice "to the end" may hold. */
export const LARGEST_SPLIT = 60_000;

/**
 * Cost of attacking `images` images, in the unit every service uses for its ceiling: model
 * evaluations (forward + backward counted as one) × max(parameters, input values per image).
 * PGD takes `steps` gradients plus the clean and adversarial predictions; FGSM one gradient plus those.
 */
export function attackCost(classifier: TrainableClassifier, images: number, spec: AttackSpec, extraPasses = 0): number {
  const [h, w, c] = classifier.spec.inputShape;
  const perImage = Math.max(classifier.parameterCount(), h * w * c);
  const passes = (spec.method === 'pgd' ? spec.steps : 1) + 2 + extraPasses;
  return images * passes * perImage;
}

/** RESOURCE_EXHAUSTED when the attack would cost more than the service's ceiling. */
export function checkAttackCost(classifier: TrainableClassifier, images: number, spec: AttackSpec, extraPasses = 0): void {
  checkCost(attackCost(classifier, images, spec, extraPasses), `attacking ${images} images with ${spec.method === 'pgd' ? `${spec.steps} PGD steps` : 'FGSM'} on ${classifier.spec.architecture} (${classifier.parameterCount()} parameters)`);
}
