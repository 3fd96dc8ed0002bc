import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { status } from '@grpc/grpc-js';
import { initBackend } from '@conjugate/backend';
import { createMemoryBus, type EventBus } from '@conjugate/bus';
import { connectTrainingService, type TrainingClient } from '@conjugate/clients';
import { fromModelMessage } from '@conjugate/models';
import { RunConfig, RunState } from '@conjugate/proto';
import { createLogger, killAndWait, type ServiceProcess, startServiceProcess } from '@conjugate/service-kit';
import { InProcessRobustness } from './in-process-robustness';
import { mnistTestImages } from './mnist-test-images';
import { refusal, tempDir, waitForEnd } from './test-support';
import { startTrainingService, type TrainingServiceHandle } from './training-service';

// A run trains a caller's TF.js Layers model from its topology (the committed small CNN's model.json),
// measures it every epoch and keeps its checkpoints as "layers" Model messages.
const TOPOLOGY = JSON.stringify(JSON.parse(readFileSync(join(__dirname, '../../../examples/python/fixtures/small-cnn/model.json'), 'utf8')).modelTopology);
let bus: EventBus;
let data: ServiceProcess;
let runsDir: Awaited<ReturnType<typeof tempDir>>;
let service: TrainingServiceHandle;
let client: TrainingClient;
let robustImages: { images: tf.Tensor4D; labels: tf.Tensor1D };

beforeAll(async () => {
  await initBackend();
  bus = createMemoryBus();
  data = await startServiceProcess('data-service', {});
  runsDir = await tempDir('conjugate-training-layers-');
  robustImages = await mnistTestImages(data.address, 32);
  const evaluator = new InProcessRobustness(robustImages.images, robustImages.labels);
  service = await startTrainingService({ port: 0, host: '127.0.0.1', reflection: false, dataServiceAddress: data.address, runsDir: runsDir.path, bus, evaluator, logger: createLogger('training-test', { level: 'silent' }) });
  client = connectTrainingService(service.address);
});
afterAll(async () => {
  client?.close();
  await service?.shutdown();
  if (data) await killAndWait(data.process, 'SIGTERM');
  await bus?.close();
  await runsDir?.remove();
  tf.dispose(robustImages);
});

const config = (modelTopologyJson: string) =>
  RunConfig.fromPartial({
    name: 'own model',
    dataset: 'mnist',
    model: { architecture: 'layers', layers: { modelTopologyJson } },
    epochs: 1,
    batchSize: 32,
    seed: 3,
    trainLimit: 512,
    evaluation: { testLimit: 200 },
  });

it('trains a Layers model from its topology, measuring every epoch, with "layers" checkpoints', async () => {
  const run = await waitForEnd(client, (await client.startRun(config(TOPOLOGY))).id);
  expect([run.state, run.reason]).toEqual([RunState.RUN_STATE_COMPLETED, '']);
  expect(run.epochs.map((e) => e.epoch)).toEqual([0, 1]);
  expect(run.epochs[1].testAccuracy).toBeGreaterThan(run.epochs[0].testAccuracy);
  const robust = run.epochs[1].robustPixel!.result!;
  expect(robust.robustAccuracy).toBeLessThanOrEqual(robust.cleanAccuracy);
  const checkpoint = await client.getCheckpoint(run.id, -1);
  expect(checkpoint.spec).toMatchObject({ architecture: 'layers', inputShape: [28, 28, 1], numClasses: 10, featureLayer: 'dense' }); // the input of the last Dense layer
  const rebuilt = fromModelMessage(checkpoint);
  expect(rebuilt.spec.featureSize).toBe(32);
  rebuilt.dispose();
});

it('refuses a model whose input does not fit the dataset, naming both shapes', async () => {
  const colour = TOPOLOGY.replace('[null,28,28,1]', '[null,32,32,3]');
  const { code, details } = await refusal(client.startRun(config(colour)));
  expect(code).toBe(status.INVALID_ARGUMENT);
  expect(details).toMatch(/config\.model\.input_shape: images of "mnist" are \[28, 28, 1\]: .*model's input \[32, 32, 3\]/);
});
