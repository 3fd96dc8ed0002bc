import * as tf from '@tensorflow/tfjs-core';
import { readInto } from '@conjugate/backend';
import type { Classifier } from '@conjugate/models';

/** Where X lives: the network input (pixel) or the feature vector z = g(x) (feature). */
export type EstimatorSpace = 'pixel' | 'feature';

/**
 * What both estimators see of a model: log l(X) for a batch of points X in one space.
 * A trained network and a closed-form oracle implement the same interface, so they run the same code.
 */
export interface LogLossModel {
  /** Shape of one point X (image shape [H, W, C] in pixel space, [D] in feature space). */
  readonly pointShape: number[];
  /** log l(X) per row for X of shape [B, ...pointShape] and int32 labels [B]; safe inside tf.grad. */
  logLoss(points: tf.Tensor, labels: tf.Tensor1D): tf.Tensor1D;
}

// Below this t, softplus(t) = log(1 + e^t) equals e^t to float32 precision, so log l = t (spec §4).
const LOG_LINEAR_BELOW = -15;

/**
 * log l from logits, stably (spec §4): t = logsumexp_{j≠y}(z_j − z_y), l = softplus(t),
 * log l = t when t < −15. No NaN gradients: each branch is clamped to its own domain.
 */
export function stableLogLoss(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const numClasses = logits.shape[1];
    const oneHot = tf.oneHot(tf.cast(labels, 'int32'), numClasses);
    const labelLogit = tf.sum(tf.mul(logits, oneHot), 1, true);
    // Exclude j = y from the logsumexp by pushing it to a huge negative value (finite: no 0·∞ in gradients).
    const others = tf.add(tf.sub(logits, labelLogit), tf.mul(oneHot, -1e30));
    const t = tf.logSumExp(others, 1) as tf.Tensor1D;
    // log softplus(max(t, −15)) + (min(t, −15) + 15): log softplus(t) above −15, t (to 1.5e-7) below,
    // continuous, and built from max/min so no comparison op sits on the gradient tape.
    const above = tf.log(tf.softplus(tf.maximum(t, LOG_LINEAR_BELOW)));
    return tf.add(above, tf.sub(tf.minimum(t, LOG_LINEAR_BELOW), LOG_LINEAR_BELOW)) as tf.Tensor1D;
  });
}

/**
 * The log-loss adapter of a classifier: pixel X = x through h(g(x)); feature X = z through h. In pixel
 * space `onFeatures` sees each batch's features z = g(x) as they are computed on the way (read them
 * there: they are disposed after the pass), so whoever needs them takes no forward pass of its own.
 */
export function classifierLogLoss(classifier: Classifier, space: EstimatorSpace, onFeatures?: (features: tf.Tensor2D) => void): LogLossModel {
  const { inputShape, featureSize } = classifier.spec;
  if (space === 'pixel') {
    return {
      pointShape: [...inputShape],
      logLoss: (points, labels) => tf.tidy(() => {
        const features = classifier.features(points as tf.Tensor4D);
        onFeatures?.(features);
        return stableLogLoss(classifier.head(features), labels);
      }),
    };
  }
  return {
    pointShape: [featureSize],
    logLoss: (points, labels) => stableLogLoss(classifier.head(points as tf.Tensor2D), labels),
  };
}

/** Number of dimensions of one point. */
export function pointSize(model: LogLossModel): number {
  return model.pointShape.reduce((a, b) => a * b, 1);
}

/** Where `logLossAndScore` writes a batch of B rows: log l of row r at logLoss[row + r], its score s at score[(row + r)·D …]. */
export interface ScoreTarget {
  logLoss: Float32Array;
  /** Row-major [rows, D]. */
  score: Float32Array;
  row: number;
}

/** log l and its gradient s = ∇ log l at a batch of points, written into `target` (read in place: no copy per batch). */
export function logLossAndScore(model: LogLossModel, points: tf.Tensor, labels: tf.Tensor1D, target: ScoreTarget): void {
  // Rows are independent, so the gradient of the sum is the per-row gradient; one forward pass for both.
  let perRow: tf.Tensor1D | undefined;
  const { value, grad } = tf.tidy(() =>
    tf.valueAndGrad((x: tf.Tensor) => {
      perRow = tf.keep(model.logLoss(x, labels));
      return tf.sum(perRow);
    })(points),
  );
  value.dispose();
  const rows = perRow as tf.Tensor1D;
  try {
    readInto(rows, target.logLoss, target.row);
    readInto(grad, target.score, target.row * pointSize(model));
  } finally {
    rows.dispose();
    grad.dispose();
  }
}
