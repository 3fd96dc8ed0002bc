import type * as tf from '@tensorflow/tfjs-core';

/** Architecture and shapes of a classifier: what libs/attacks and libs/uncertainty need to know. */
export interface ClassifierSpec {
  /** "cnn3", "cnn4", "resnet8", "tiny", "linear". */
  architecture: string;
  /** [height, width, channels] of one input image. */
  inputShape: [number, number, number];
  numClasses: number;
  /** Length D of the flattened feature vector z = g(x). */
  featureSize: number;
}

/**
 * A classifier split at its feature layer: logits = head(features(x)).
 * Every attack and estimator works against this interface only (Foolbox-style), so a closed-form
 * "model" (oracle tests) and a trained network go through the same code path.
 * Methods are pure tensor functions, safe inside tf.grad / tf.tidy; they never dispose their inputs.
 */
export interface Classifier {
  readonly spec: ClassifierSpec;
  /** g: images [B, H, W, C] in [0, 1] → features [B, D]. */
  features(images: tf.Tensor4D): tf.Tensor2D;
  /** h: features [B, D] → logits [B, numClasses]. */
  head(features: tf.Tensor2D): tf.Tensor2D;
  /** h(g(x)). */
  logits(images: tf.Tensor4D): tf.Tensor2D;
}
