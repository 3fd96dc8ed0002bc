import * as tf from '@tensorflow/tfjs-core';

export type Norm = 'linf' | 'l2';

/** Guards the L2 direction of an all-zero gradient (or perturbation) against 0/0. */
const TINY = 1e-12;

/** Shape [B, 1, 1, …] that broadcasts one value per example against a batch of shape `shape`. */
function perExample(shape: number[]): number[] {
  return [shape[0], ...shape.slice(1).map(() => 1)];
}

/** Norm of each example's slice of a batch: [B, …] → [B]. */
export function perExampleNorms(batch: tf.Tensor, norm: Norm): tf.Tensor1D {
  return tf.tidy(() => {
    const flat = tf.reshape(batch, [batch.shape[0], -1]);
    return (norm === 'linf' ? tf.max(tf.abs(flat), 1) : tf.sqrt(tf.sum(tf.square(flat), 1))) as tf.Tensor1D;
  });
}

/** The steepest-ascent step of length `size` along `gradient` in the norm: sign for L∞, unit direction for L2. */
export function ascentStep(gradient: tf.Tensor, norm: Norm, size: number): tf.Tensor {
  return tf.tidy(() => {
    if (norm === 'linf') return tf.mul(tf.sign(gradient), size);
    const lengths = tf.reshape(perExampleNorms(gradient, 'l2'), perExample(gradient.shape));
    return tf.mul(tf.div(gradient, tf.maximum(lengths, TINY)), size);
  });
}

/** Each example's perturbation pulled back into the ball of radius `epsilon`. */
export function projectToBall(delta: tf.Tensor, norm: Norm, epsilon: number): tf.Tensor {
  return tf.tidy(() => {
    if (norm === 'linf') return tf.clipByValue(delta, -epsilon, epsilon);
    const lengths = tf.reshape(perExampleNorms(delta, 'l2'), perExample(delta.shape));
    return tf.mul(delta, tf.minimum(1, tf.div(epsilon, tf.maximum(lengths, TINY))));
  });
}

/**
 * A perturbation drawn uniformly from the ball of radius `epsilon`, one per example, reproducible
 * from `seed`. For L2: a Gaussian direction with radius ε·u^(1/n), which is uniform in volume.
 */
export function uniformInBall(shape: number[], norm: Norm, epsilon: number, seed: number): tf.Tensor {
  // tfjs treats a seed of 0 as "unseeded": string seeds (and an odd number for randomNormal) avoid that.
  return tf.tidy(() => {
    if (norm === 'linf') return tf.randomUniform(shape, -epsilon, epsilon, 'float32', `ball/${seed}`);
    const direction = ascentStep(tf.randomNormal(shape, 0, 1, 'float32', 2 * seed + 1), 'l2', 1);
    const dimension = shape.slice(1).reduce((a, b) => a * b, 1);
    const radius = tf.mul(tf.pow(tf.randomUniform(perExample(shape), 0, 1, 'float32', `radius/${seed}`), 1 / dimension), epsilon);
    return tf.mul(direction, radius);
  });
}

/** `inputs + delta`, clipped into the box [lower, upper] (a no-op for an unbounded side). */
export function perturbWithinBox(inputs: tf.Tensor, delta: tf.Tensor, lower: number, upper: number): tf.Tensor {
  return tf.tidy(() => {
    const moved = tf.add(inputs, delta);
    if (lower === -Infinity && upper === Infinity) return moved;
    if (upper === Infinity) return tf.maximum(moved, lower);
    if (lower === -Infinity) return tf.minimum(moved, upper);
    return tf.clipByValue(moved, lower, upper);
  });
}
