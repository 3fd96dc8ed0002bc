import * as tf from '@tensorflow/tfjs-core';

/** Cross-entropy of each example, −log softmax(logits)_label: logits [B, K], int32 labels [B] → [B]. */
export function crossEntropyPerExample(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(tf.cast(labels, 'int32') as tf.Tensor1D, logits.shape[1]);
    return tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)) as tf.Tensor1D;
  });
}

/** Predicted class of each example: logits [B, K] → int32 [B]. */
export function predictions(logits: tf.Tensor2D): tf.Tensor1D {
  return tf.argMax(logits, 1) as tf.Tensor1D;
}

/** ∇ of the summed cross-entropy w.r.t. the inputs: each example's own loss gradient (examples do not interact). */
export function lossGradient(logitsOf: (inputs: tf.Tensor) => tf.Tensor2D, inputs: tf.Tensor, labels: tf.Tensor1D): tf.Tensor {
  return tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(crossEntropyPerExample(logitsOf(x), labels)))(inputs));
}
