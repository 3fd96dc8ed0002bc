import * as tf from '@tensorflow/tfjs-core';
import { runAttack, type AttackSpec } from '@conjugate/attacks';
import type { AdversarialMixing } from './adversarial-mixing';

/** Mixing with a pixel-space attack from @conjugate/attacks (PGD by default in the contract). */
export function attackMixing(ratio: number, spec: AttackSpec): AdversarialMixing {
  if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`adversarial.ratio must be in [0, 1], got ${ratio}`);
  if (spec.space !== 'pixel') throw new RangeError(`adversarial.attack.space must be pixel for training, got ${spec.space}`);
  return {
    ratio,
    attack: (classifier, images, labels) => {
      const result = runAttack(classifier, images, labels, spec);
      tf.dispose([result.cleanPredictions, result.adversarialPredictions, result.perturbationNorms]);
      return result.adversarial as tf.Tensor4D;
    },
  };
}

