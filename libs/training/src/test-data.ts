import * as tf from '@tensorflow/tfjs-core';

/**
 * Quadrant images for tests: class c (0..3) lights quadrant c of an 8×8 image, plus seeded noise.
 * Linearly separable, so a tiny model learns it in a few steps.
 */
export function quadrantImages(count: number, seed: number): { images: tf.Tensor4D; labels: tf.Tensor1D } {
  return tf.tidy(() => {
    const labelValues = Int32Array.from({ length: count }, (_, i) => (i * 7 + seed) % 4);
    const masks = [0, 1, 2, 3].map((c) => {
      const m = new Float32Array(64);
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) if ((y < 4 ? 0 : 2) + (x < 4 ? 0 : 1) === c) m[y * 8 + x] = 0.8;
      return m;
    });
    const clean = tf.tensor4d(Array.from(labelValues).flatMap((c) => Array.from(masks[c])), [count, 8, 8, 1]);
    const noise = tf.randomUniform([count, 8, 8, 1], 0, 0.2, 'float32', seed);
    return { images: tf.add(clean, noise) as tf.Tensor4D, labels: tf.tensor1d(labelValues, 'int32') };
  });
}
