import * as tf from '@tensorflow/tfjs-core';
import { Optimizer as OptimizerKind } from '@conjugate/proto';

export type OptimizerName = 'adam' | 'sgd';

export const DEFAULT_LEARNING_RATE = 1e-3;

/** Adam (the default, as the paper trains) or plain SGD; learning rate 1e-3 unless given. */
export function createOptimizer(kind: OptimizerName | OptimizerKind = 'adam', learningRate = DEFAULT_LEARNING_RATE): tf.Optimizer {
  if (!Number.isFinite(learningRate) || learningRate <= 0) throw new RangeError(`learning_rate must be a positive number, got ${learningRate}`);
  const name = optimizerName(kind);
  return name === 'adam' ? tf.train.adam(learningRate) : tf.train.sgd(learningRate);
}

/** The proto enum as a name; UNSPECIFIED is Adam. */
export function optimizerName(kind: OptimizerName | OptimizerKind): OptimizerName {
  switch (kind) {
    case 'adam':
    case 'sgd':
      return kind;
    case OptimizerKind.OPTIMIZER_UNSPECIFIED:
    case OptimizerKind.OPTIMIZER_ADAM:
      return 'adam';
    case OptimizerKind.OPTIMIZER_SGD:
      return 'sgd';
    default:
      throw new RangeError(`optimizer must be OPTIMIZER_ADAM or OPTIMIZER_SGD, got ${kind}`);
  }
}
