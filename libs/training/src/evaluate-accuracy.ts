import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '@conjugate/models';
import { disposeBatch, type Batch } from './batch';

export interface Evaluation {
  accuracy: number;
  /** Mean cross-entropy. */
  loss: number;
  images: number;
  seconds: number;
}

/** Clean accuracy and loss of the classifier over all batches (consumed and disposed). */
export async function evaluateAccuracy(classifier: Classifier, batches: AsyncIterable<Batch> | Iterable<Batch>): Promise<Evaluation> {
  const started = performance.now();
  let images = 0;
  let correct = 0;
  let lossSum = 0;
  for await (const batch of batches) {
    try {
      const size = batch.images.shape[0];
      if (size === 0) continue;
      const [batchCorrect, batchLoss] = tf.tidy(() => {
        const logits = classifier.logits(batch.images);
        const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), batch.labels), 'int32'));
        const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(batch.labels, classifier.spec.numClasses), logits, undefined, undefined, tf.Reduction.SUM);
        return [hits.dataSync()[0], loss.dataSync()[0]];
      });
      correct += batchCorrect;
      lossSum += batchLoss;
      images += size;
    } finally {
      disposeBatch(batch);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (images === 0) throw new Error('evaluateAccuracy: no images (the batch stream was empty)');
  return { accuracy: correct / images, loss: lossSum / images, images, seconds: (performance.now() - started) / 1000 };
}
