// Adversarial examples per second for PGD-4 (the paper's attack) on cnn3 with MNIST test images:
// in-process through libs/attacks, and through the attack-service over a loopback socket (the model
// sent inline, as a stateless replica gets it). `npm run bench -- attack [batch=100] [repeats=5]`;
// CONJUGATE_BACKEND=wasm|cpu|node picks the backend.
import * as tf from '@tensorflow/tfjs-core';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import { DEFAULT_ATTACK, disposeAttackResult, runAttack, type AttackSpec } from '@conjugate/attacks';
import { startAttackService } from '@conjugate/attack-service';
import { initBackend } from '@conjugate/backend';
import { DatasetRegistry, gatherBatch } from '@conjugate/datasets';
import { createClassifier, toModelMessage } from '@conjugate/models';
import { AttackServiceClient, Space, type AttackBatchRequest, type AttackBatchResponse } from '@conjugate/proto';
import { createLogger } from '@conjugate/service-kit';
import { toTensorMessage } from '@conjugate/tensor';
import { median } from './support/median';

/** The first `count` MNIST test images. */
async function mnistTest(count: number): Promise<{ images: tf.Tensor4D; labels: tf.Tensor1D }> {
  const batch = gatherBatch(await new DatasetRegistry().load('mnist'), 'test', Array.from({ length: count }, (_, i) => i));
  return { images: tf.tensor4d(batch.images, batch.shape), labels: tf.tensor1d(batch.labels, 'int32') };
}

/**
 * Median seconds per run of each task over `repeats` rounds after one warm-up round. The tasks take
 * turns within a round, so a change in the machine's load hits them alike (it is shared in CI).
 */
async function timeInTurns(repeats: number, tasks: (() => Promise<void> | void)[]): Promise<number[]> {
  const seconds = tasks.map(() => [] as number[]);
  for (let round = 0; round <= repeats; round++) {
    for (const [i, task] of tasks.entries()) {
      const started = performance.now();
      await task();
      if (round > 0) seconds[i].push((performance.now() - started) / 1000);
    }
  }
  return seconds.map(median);
}

async function main(): Promise<void> {
  const batch = Number(process.argv[2] ?? 100);
  const repeats = Number(process.argv[3] ?? 5);
  const backend = await initBackend();
  const model = createClassifier({ architecture: 'cnn3', seed: 0 });
  const { images, labels } = await mnistTest(batch);
  const pixel: AttackSpec = { ...DEFAULT_ATTACK };
  const feature: AttackSpec = { ...DEFAULT_ATTACK, space: 'feature' };
  const label = `pgd4_cnn3_mnist_${backend.name}_batch${batch}`;

  const service = await startAttackService({ port: 0, host: '127.0.0.1', reflection: false, logger: createLogger('attack-bench', { level: 'silent' }) });
  const client = new AttackServiceClient(service.address, credentials.createInsecure());
  const request: AttackBatchRequest = {
    model: { source: { $case: 'inline', value: toModelMessage(model) } },
    attack: { method: 0, norm: 0, space: Space.SPACE_PIXEL, randomStart: false, seed: 0 },
    images: toTensorMessage(images),
    labels: toTensorMessage(labels),
  };
  const viaService = () =>
    new Promise<void>((resolve, reject) => client.attackBatch(request, (error: ServiceError | null, _response: AttackBatchResponse) => (error ? reject(error) : resolve())));

  const [inProcess, inProcessFeature, throughService] = await timeInTurns(repeats, [
    () => disposeAttackResult(runAttack(model, images, labels, pixel)),
    () => disposeAttackResult(runAttack(model, images, labels, feature)),
    viaService,
  ]);
  console.log(`attack_${label}_pixel_in_process: ${(batch / inProcess).toFixed(1)} examples/s`);
  console.log(`attack_${label}_feature_in_process: ${(batch / inProcessFeature).toFixed(1)} examples/s`);
  console.log(`attack_${label}_pixel_via_service: ${(batch / throughService).toFixed(1)} examples/s`);
  console.log(`attack_${label}_service_overhead: ${((throughService / inProcess - 1) * 100).toFixed(1)} %`);

  client.close();
  await service.shutdown(0);
  tf.dispose([images, labels]);
  model.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
