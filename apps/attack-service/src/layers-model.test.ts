import * as tf from '@tensorflow/tfjs-core';
import { status } from '@grpc/grpc-js';
import { connectAttackService, connectDataService, type AttackClient } from '@conjugate/clients';
import { cnn3AsLayersTopology, createClassifier, toModelMessage, type TrainableClassifier } from '@conjugate/models';
import { Space, Split, type EvaluateRobustnessRequest, type Model, type ModelSource } from '@conjugate/proto';
import { createLogger, type GrpcServiceHandle, type ServiceProcess, startServiceProcess } from '@conjugate/service-kit';
import { startAttackService } from './attack-service';

// A caller's TF.js Layers model, sent inline, against MNIST streamed from a real data-service: with
// cnn3's layers and weights it must give the built-in cnn3's clean and robust accuracy.
let data: ServiceProcess;
let service: GrpcServiceHandle;
let client: AttackClient;
let cnn3: Model;
let layers: Model;

const SLICE = 64;

beforeAll(async () => {
  data = await startServiceProcess('data-service');
  service = await startAttackService({ port: 0, host: '127.0.0.1', dataServiceAddress: data.address, logger: createLogger('attack-service-test', { level: 'silent' }) });
  client = connectAttackService(service.address);
  // The Layers model is trained briefly (from its topology alone); cnn3 then gets its weights.
  const own = createClassifier({ architecture: 'layers', seed: 5, layers: { modelTopologyJson: cnn3AsLayersTopology({ softmax: true }), inputMin: 0, inputMax: 0 } });
  await trainBriefly(own, data.address);
  const trained = toModelMessage(own);
  own.dispose();
  cnn3 = { ...trained, spec: { architecture: 'cnn3', inputShape: [], numClasses: 0, featureLayer: '', seed: 0 } };
  layers = { ...trained, spec: { ...trained.spec!, featureLayer: 'conv3' } };
}, 120_000);

/** A few Adam steps on 640 MNIST training images from the data-service. */
async function trainBriefly(classifier: TrainableClassifier, address: string): Promise<void> {
  const dataClient = connectDataService(address);
  const optimizer = tf.train.adam(2e-3);
  try {
    for await (const batch of dataClient.streamBatches({ dataset: 'mnist', split: Split.SPLIT_TRAIN, batchSize: 32, limit: 640 })) {
      tf.tidy(() => {
        const images = tf.tensor4d(Float32Array.from(batch.images), [batch.labels.length, 28, 28, 1]);
        const labels = tf.oneHot(tf.tensor1d(Int32Array.from(batch.labels), 'int32'), 10);
        optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, classifier.logits(images)) as tf.Scalar, false, classifier.trainableVariables());
      });
    }
  } finally {
    dataClient.close();
    optimizer.dispose();
  }
}

afterAll(async () => {
  client?.close();
  await service?.shutdown(0);
  await data?.stop();
});

function layersModel(modelTopologyJson: string, featureLayer = ''): Model {
  return {
    spec: { architecture: 'layers', inputShape: [], numClasses: 0, featureLayer, seed: 0, layers: { modelTopologyJson, inputMin: 0, inputMax: 0 } },
    weights: layers.weights,
    runId: '',
    epoch: 0,
  };
}

/** cnn3's layers on 32×32×3 images, with weights of its own. */
function colourModel(): Model {
  const classifier = createClassifier({ architecture: 'layers', layers: { modelTopologyJson: cnn3AsLayersTopology().replace('[null,28,28,1]', '[null,32,32,3]'), inputMin: 0, inputMax: 0 } });
  try {
    return toModelMessage(classifier);
  } finally {
    classifier.dispose();
  }
}

const inline = (value: Model): ModelSource => ({ source: { $case: 'inline', value } });
const evaluation = (model: Model, space: Space): EvaluateRobustnessRequest => ({
  model: inline(model),
  dataset: 'mnist',
  split: Split.SPLIT_TEST,
  offset: 0,
  limit: SLICE,
  indices: [],
  batchSize: 32,
  shuffleSeed: 0,
  shardIndex: 0,
  shardCount: 0,
  attack: { method: 0, norm: 0, space, randomStart: false, seed: 0 },
});

it.each([
  ['pixel', Space.SPACE_PIXEL],
  ['feature', Space.SPACE_FEATURE],
] as const)('a Layers model with cnn3\'s layers and weights has cnn3\'s clean and robust accuracy (%s space)', async (_space, space) => {
  const [own, builtIn] = await Promise.all([client.evaluateRobustness(evaluation(layers, space)), client.evaluateRobustness(evaluation(cnn3, space))]);
  expect(own.total).toBe(SLICE);
  expect(own.cleanCorrect).toBe(builtIn.cleanCorrect);
  expect(own.robustCorrect).toBe(builtIn.robustCorrect);
  expect(own.epsilonUsed).toBeCloseTo(builtIn.epsilonUsed, 5);
  // Trained enough that both counts say something.
  expect(own.cleanAccuracy).toBeGreaterThan(0.5);
  expect(own.robustCorrect).toBeLessThan(own.cleanCorrect);
});

it.each([
  [
    'a model whose input does not fit the dataset',
    () => colourModel(),
    status.INVALID_ARGUMENT,
    /dataset: "mnist" images are \[28, 28, 1\], the model \(layers\) takes \[32, 32, 3\]/,
  ],
  ['an unsupported layer', () => layersModel(cnn3AsLayersTopology().replace('"Flatten"', '"Lambda"')), status.INVALID_ARGUMENT, /model\.inline\.spec\.layers\.model_topology_json: layer "flatten" has unsupported class "Lambda"/],
  ['a feature layer it does not have', () => layersModel(cnn3AsLayersTopology(), 'block3'), status.NOT_FOUND, /model\.inline\.spec\.feature_layer: no layer "block3"/],
  ['hostile nesting', () => layersModel('['.repeat(100_000) + ']'.repeat(100_000)), status.INVALID_ARGUMENT, /nested 100000 levels deep/],
  ['a weight count over the limit', () => layersModel(cnn3AsLayersTopology().replace('"units":64', '"units":65536')), status.INVALID_ARGUMENT, /weights reach \d+ values at layer "fc1"/],
])('answers %s with a status naming it, and keeps serving', async (_case, model, code, details) => {
  await expect(client.evaluateRobustness(evaluation(model(), Space.SPACE_PIXEL))).rejects.toMatchObject({ code, details: expect.stringMatching(details) });
  const after = await client.evaluateRobustness({ ...evaluation(layers, Space.SPACE_PIXEL), limit: 8 });
  expect(after.total).toBe(8);
});
