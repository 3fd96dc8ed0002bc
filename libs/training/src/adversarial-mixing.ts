import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '@conjugate/models';

/**
 * Adversarial training (Madry et al.): each batch's first ⌈ratio·B⌉ images are replaced by adversarial
 * versions against the current weights before the step. `attack` returns new images it does not
 * dispose its inputs with.
 */
export interface AdversarialMixing {
  /** Share of each batch to replace, in [0, 1]. */
  ratio: number;
  attack: (classifier: Classifier, images: tf.Tensor4D, labels: tf.Tensor1D) => tf.Tensor4D;
}

/** The batch's images with the first ⌈ratio·B⌉ replaced by the attack's output (a new tensor). */
export function mixAdversarial(mixing: AdversarialMixing, classifier: Classifier, images: tf.Tensor4D, labels: tf.Tensor1D): tf.Tensor4D {
  const batchSize = images.shape[0];
  const count = Math.min(batchSize, Math.ceil(mixing.ratio * batchSize));
  if (count === 0) return tf.clone(images);
  return tf.tidy(() => {
    const attackedImages = tf.slice(images, 0, count);
    const adversarial = mixing.attack(classifier, attackedImages, tf.slice(labels, 0, count));
    if (count === batchSize) return adversarial;
    return tf.concat([adversarial, tf.slice(images, count)], 0);
  });
}
