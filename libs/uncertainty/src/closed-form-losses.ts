import * as tf from '@tensorflow/tfjs-core';
import type { LogLossModel } from './log-loss';

// Closed-form log-losses wrapped as a LogLossModel, so the oracle tests of spec §5 run the very code
// path a network runs. Points are vectors of length n.

/** l = e^c everywhere: log l = c (written through X so the gradient exists and is 0). */
export function constantLoss(n: number, c = 0): LogLossModel {
  return { pointShape: [n], logLoss: (X) => tf.add(tf.sum(tf.mul(X, 0), 1), c) as tf.Tensor1D };
}

/** l = exp(a·X): log l = a·X. */
export function logLinearLoss(a: number[]): LogLossModel {
  const direction = tf.keep(tf.tensor2d(a, [1, a.length]));
  return { pointShape: [a.length], logLoss: (X) => tf.sum(tf.mul(X, direction), 1) as tf.Tensor1D };
}

/** l = (X_dim − center)²: log l = log((X_dim − center)²), −∞ at the center. */
export function quadraticLoss(n: number, dim: number, center: number): LogLossModel {
  return {
    pointShape: [n],
    logLoss: (X) => tf.reshape(tf.log(tf.square(tf.sub(tf.slice(X as tf.Tensor2D, [0, dim], [-1, 1]), center))), [-1]) as tf.Tensor1D,
  };
}
