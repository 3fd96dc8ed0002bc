import type * as tf from '@tensorflow/tfjs-core';
import { valuesInPlace } from '@conjugate/backend';
import type { ClassifierSpec } from '@conjugate/models';
import { AttackArgumentError } from './attack-spec';

/**
 * Checks that images and labels fit the model: float32 images [B, H, W, C] with the model's input
 * shape, pixels in [0, 1]; int32 labels [B] in [0, numClasses). Throws AttackArgumentError naming the field.
 */
export function validateAttackInputs(model: ClassifierSpec, images: tf.Tensor, labels: tf.Tensor): void {
  const expected = [model.inputShape[0], model.inputShape[1], model.inputShape[2]];
  if (images.dtype !== 'float32') throw new AttackArgumentError('images', `dtype must be float32, got ${images.dtype}`);
  if (images.rank !== 4 || images.shape.slice(1).join(',') !== expected.join(',')) {
    throw new AttackArgumentError('images', `shape must be [batch, ${expected.join(', ')}] for ${model.architecture}, got [${images.shape.join(', ')}]`);
  }
  if (images.shape[0] === 0) throw new AttackArgumentError('images', 'batch is empty');
  const outOfBox = firstWhere(valuesInPlace(images), (value) => !(value >= 0 && value <= 1));
  if (outOfBox !== undefined) throw new AttackArgumentError('images', `pixel values must be in [0, 1], got ${outOfBox}`);
  if (labels.dtype !== 'int32') throw new AttackArgumentError('labels', `dtype must be int32, got ${labels.dtype}`);
  if (labels.rank !== 1 || labels.shape[0] !== images.shape[0]) {
    throw new AttackArgumentError('labels', `shape must be [${images.shape[0]}] (one per image), got [${labels.shape.join(', ')}]`);
  }
  const outOfRange = firstWhere(valuesInPlace(labels), (label) => label < 0 || label >= model.numClasses);
  if (outOfRange !== undefined) {
    throw new AttackArgumentError('labels', `each label must be in [0, ${model.numClasses}), got ${outOfRange}`);
  }
}

/** The first value for which `test` holds, read in place (no copy of a batch's values into an array). */
function firstWhere(values: ArrayLike<number>, test: (value: number) => boolean): number | undefined {
  for (let i = 0; i < values.length; i++) if (test(values[i])) return values[i];
  return undefined;
}
