import * as tf from '@tensorflow/tfjs-core';
import type { TrainableClassifier } from '@conjugate/models';
import { mixAdversarial, type AdversarialMixing } from './adversarial-mixing';
import { disposeBatch, type Batch } from './batch';

export interface EpochResult {
  /** Mean cross-entropy over the epoch's images, each taken at its step before the update. */
  loss: number;
  /** Share of the epoch's images classified correctly at their step (adversarial ones included). */
  accuracy: number;
  images: number;
  seconds: number;
}

export interface BatchProgress {
  batches: number;
  images: number;
  loss: number;
  accuracy: number;
  seconds: number;
}

export interface TrainEpochOptions {
  adversarial?: AdversarialMixing;
  /** Called after every step with the running means. */
  onBatch?: (progress: BatchProgress) => void;
  /** Checked between batches: aborting stops the epoch with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * One pass over `batches`: per batch one optimizer step on the mean cross-entropy. Deterministic for
 * a given backend, classifier, optimizer state and batch order. Consumes (disposes) every batch.
 */
export async function trainEpoch(classifier: TrainableClassifier, batches: AsyncIterable<Batch> | Iterable<Batch>, optimizer: tf.Optimizer, options: TrainEpochOptions = {}): Promise<EpochResult> {
  const started = performance.now();
  const variables = classifier.trainableVariables();
  let images = 0;
  let lossSum = 0;
  let correct = 0;
  let step = 0;
  for await (const batch of batches) {
    try {
      options.signal?.throwIfAborted();
      const size = batch.images.shape[0];
      if (size === 0) continue;
      const inputs = options.adversarial ? mixAdversarial(options.adversarial, classifier, batch.images, batch.labels) : batch.images;
      let correctInBatch: tf.Scalar | undefined;
      const loss = optimizer.minimize(
        () => {
          const logits = classifier.logits(inputs);
          correctInBatch = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), batch.labels), 'int32')) as tf.Scalar);
          return tf.losses.softmaxCrossEntropy(tf.oneHot(batch.labels, classifier.spec.numClasses), logits) as tf.Scalar;
        },
        true,
        variables,
      )!;
      lossSum += loss.dataSync()[0] * size;
      correct += correctInBatch!.dataSync()[0];
      tf.dispose([loss, correctInBatch!]);
      if (inputs !== batch.images) inputs.dispose();
      images += size;
      step += 1;
      options.onBatch?.({ batches: step, images, loss: lossSum / images, accuracy: correct / images, seconds: (performance.now() - started) / 1000 });
    } finally {
      disposeBatch(batch);
    }
    // Let timers and sockets run between steps: a service stays responsive while it trains.
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (images === 0) throw new Error('trainEpoch: no training images (the batch stream was empty)');
  return { loss: lossSum / images, accuracy: correct / images, images, seconds: (performance.now() - started) / 1000 };
}
