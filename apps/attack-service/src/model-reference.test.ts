import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { status } from '@grpc/grpc-js';
import { connectAttackService, type AttackClient } from '@conjugate/clients';
import { createLogger, type GrpcServiceHandle } from '@conjugate/service-kit';
import { toTensorMessage } from '@conjugate/tensor';
import { startAttackService } from './attack-service';
import { spawnService, type ChildService } from './spawn-service';

// Models by reference: the attack-service asks a real training-service (its own process) for checkpoints.
let runsDir: string;
let training: ChildService;
let service: GrpcServiceHandle;
let client: AttackClient;

beforeAll(async () => {
  runsDir = await mkdtemp(join(tmpdir(), 'attack-service-runs-'));
  training = await spawnService('training-service', join(__dirname, '../../training-service/src/main.ts'), { RUNS_DIR: runsDir });
  service = await startAttackService({ port: 0, host: '127.0.0.1', trainingServiceAddress: training.address, logger: createLogger('attack-service-test', { level: 'silent' }) });
  client = connectAttackService(service.address);
}, 90_000);

afterAll(async () => {
  client?.close();
  await service?.shutdown(0);
  await training?.stop();
  await rm(runsDir, { recursive: true, force: true });
});

describe('attack-service with models by reference', () => {
  it("passes the training-service's NOT_FOUND for an unknown run through", async () => {
    const [images, labels] = [tf.zeros([1, 28, 28, 1]), tf.zeros([1], 'int32')];
    const request = { model: { source: { $case: 'ref' as const, value: { runId: 'no-such-run', epoch: 0 } } }, images: toTensorMessage(images), labels: toTensorMessage(labels) };
    tf.dispose([images, labels]);
    await expect(client.attackBatch(request)).rejects.toMatchObject({ code: status.NOT_FOUND, details: expect.stringMatching(/no-such-run/) });
  });
});
