import * as tf from '@tensorflow/tfjs-core';
import { DatasetRegistry, gatherBatch } from '@conjugate/datasets';
import { createClassifier, type TrainableClassifier } from '@conjugate/models';

/** Seeded images [B, H, W, C] uniform in [0, 1] and int32 labels [B] in [0, classes). */
export function randomBatch(batch: number, shape: [number, number, number], classes: number, seed: number): { images: tf.Tensor4D; labels: tf.Tensor1D } {
  return tf.tidy(() => ({
    images: tf.randomUniform([batch, ...shape], 0, 1, 'float32', `images/${seed}`) as tf.Tensor4D,
    labels: tf.randomUniform([batch], 0, classes, 'int32', `labels/${seed}`) as tf.Tensor1D,
  }));
}

/** Softmax regression on flattened pixels with seeded weights and a non-zero bias. */
export function linearModel(shape: [number, number, number], classes: number, seed: number): TrainableClassifier {
  const model = createClassifier({ architecture: 'linear', inputShape: shape, numClasses: classes, seed });
  tf.tidy(() => model.weight('logits/bias')!.assign(tf.randomUniform([classes], -0.5, 0.5, 'float32', `bias/${seed}`)));
  return model;
}

/** Mean cross-entropy of a batch, as a number. */
export function meanLoss(logits: tf.Tensor2D, labels: tf.Tensor1D): number {
  return tf.tidy(() => tf.mean(tf.neg(tf.sum(tf.mul(tf.oneHot(labels, logits.shape[1]), tf.logSoftmax(logits)), 1))).dataSync()[0]);
}

/** The first `count` images of an MNIST split, through the datasets registry. */
export async function mnistSubset(split: 'train' | 'test', count: number): Promise<{ images: tf.Tensor4D; labels: tf.Tensor1D }> {
  const mnist = await new DatasetRegistry().load('mnist');
  const batch = gatherBatch(mnist, split, Array.from({ length: count }, (_, i) => i));
  return { images: tf.tensor4d(batch.images, batch.shape), labels: tf.tensor1d(batch.labels, 'int32') };
}
