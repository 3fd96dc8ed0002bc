// Child process of `twoProcessCeiling`: input-gradient passes of a classifier (PGD's work), kernels on
// the threads CONJUGATE_KERNEL_THREADS says. Warms up, says "ready", runs its passes when told to (a line
// on stdin) and prints their seconds. Usage: gradient-passes.ts <architecture> <batch size> <passes>.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { createClassifier } from '@conjugate/models';

async function main() {
  const [architecture, batchSize, passes] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
  await initBackend();
  const classifier = createClassifier({ architecture, inputShape: [28, 28, 1], numClasses: 10, seed: 0 });
  const images = tf.randomUniform([batchSize, 28, 28, 1], 0, 1, 'float32', 0) as tf.Tensor4D;
  const labels = tf.oneHot(tf.zeros([batchSize], 'int32'), 10);
  const gradient = tf.grad((x: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, classifier.logits(x as tf.Tensor4D)));
  const pass = () => tf.tidy(() => gradient(images).dataSync());
  for (let i = 0; i < 3; i++) pass();
  process.stdout.write('ready\n');
  process.stdin.once('data', () => {
    const started = performance.now();
    for (let i = 0; i < passes; i++) pass();
    process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - started) / 1000 })}\n`);
    process.exit(0);
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
