import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { Model, type ModelSpec } from '@conjugate/proto';
import { createClassifier } from '../create-classifier';
import { fromModelMessage, toModelMessage } from '../model-message';
import { cnn3AsLayersTopology } from './cnn3-as-layers';

beforeAll(async () => {
  await initBackend();
});

const images = () => tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 'images') as tf.Tensor4D;
const maxAbsDifference = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

/** A trained-looking cnn3 (perturbed off its seeded init) and its weights in a "layers" Model message. */
function cnn3AndLayersMessage(spec: Partial<ModelSpec> = {}, softmax = false) {
  const cnn3 = createClassifier({ architecture: 'cnn3', seed: 4, featureLayer: spec.featureLayer === 'fc1' ? 'fc1' : '' });
  for (const v of cnn3.trainableVariables()) v.assign(tf.tidy(() => tf.add(v, tf.randomNormal(v.shape, 0, 0.05, 'float32', 9))));
  const message: Model = {
    spec: { architecture: 'layers', inputShape: [], numClasses: 0, featureLayer: '', seed: 0, layers: { modelTopologyJson: cnn3AsLayersTopology({ softmax }), inputMin: 0, inputMax: 0 }, ...spec },
    weights: toModelMessage(cnn3).weights,
    runId: '',
    epoch: 0,
  };
  return { cnn3, message };
}

it('a Layers model with cnn3\'s layers and weights gives cnn3\'s features and logits', () => {
  const { cnn3, message } = cnn3AndLayersMessage({ featureLayer: 'conv3' });
  const layers = fromModelMessage(message);
  expect(layers.spec).toEqual({ architecture: 'layers', inputShape: [28, 28, 1], numClasses: 10, featureSize: 576 });
  const x = images();
  expect(maxAbsDifference(layers.features(x), cnn3.features(x))).toBeLessThan(1e-4);
  expect(maxAbsDifference(layers.logits(x), cnn3.logits(x))).toBeLessThan(1e-4);
  // The gradient of the loss with respect to the input (what every attack follows) agrees too.
  const gradient = (c: typeof cnn3) => tf.grad((input: tf.Tensor) => tf.sum(c.logits(input as tf.Tensor4D)))(x);
  expect(maxAbsDifference(gradient(layers), gradient(cnn3))).toBeLessThan(1e-4);
  tf.dispose(x);
  cnn3.dispose();
  layers.dispose();
});

it('splits by default at the input of the last Dense layer and drops a final softmax', () => {
  const { cnn3, message } = cnn3AndLayersMessage({ featureLayer: '' }, true);
  const layers = fromModelMessage(message);
  const fc1 = createClassifier({ architecture: 'cnn3', featureLayer: 'fc1' });
  expect(layers.modelSpec.featureLayer).toBe('fc1');
  expect(layers.spec.featureSize).toBe(fc1.spec.featureSize);
  const x = images();
  expect(maxAbsDifference(layers.logits(x), cnn3.logits(x))).toBeLessThan(1e-4);
  tf.dispose(x);
  [cnn3, fc1, layers].forEach((c) => c.dispose());
});

it('survives the wire and rebuilds bit-exactly from its own checkpoint', () => {
  const { cnn3, message } = cnn3AndLayersMessage({ featureLayer: 'pool2' });
  const first = fromModelMessage(message);
  const copy = fromModelMessage(Model.decode(Model.encode(toModelMessage(first, { runId: 'r', epoch: 2 })).finish()));
  expect(copy.modelSpec).toEqual(first.modelSpec);
  for (const name of first.weightNames) expect(copy.weight(name)!.dataSync()).toEqual(first.weight(name)!.dataSync());
  [cnn3, first, copy].forEach((c) => c.dispose());
});

it('maps [0, 1] images onto the model\'s value range', () => {
  const { cnn3, message } = cnn3AndLayersMessage();
  message.spec!.layers!.inputMin = -1;
  message.spec!.layers!.inputMax = 1;
  const layers = fromModelMessage(message);
  const x = images();
  const shifted = tf.tidy(() => cnn3.logits(tf.sub(tf.mul(x, 2), 1) as tf.Tensor4D));
  expect(maxAbsDifference(layers.logits(x), shifted)).toBeLessThan(1e-4);
  tf.dispose([x, shifted]);
  [cnn3, layers].forEach((c) => c.dispose());
});

it('builds from the topology alone with seeded weights, trainable', () => {
  const spec = { architecture: 'layers', layers: { modelTopologyJson: cnn3AsLayersTopology(), inputMin: 0, inputMax: 0 }, seed: 7 };
  const a = createClassifier(spec);
  const b = createClassifier(spec);
  expect(a.weightNames).toEqual(['conv1/kernel', 'conv1/bias', 'conv2/kernel', 'conv2/bias', 'conv3/kernel', 'conv3/bias', 'fc1/kernel', 'fc1/bias', 'logits/kernel', 'logits/bias']);
  expect(a.weight('fc1/kernel')!.dataSync()).toEqual(b.weight('fc1/kernel')!.dataSync());
  expect(a.trainableVariables()).toHaveLength(10);
  const cnn3 = createClassifier({ architecture: 'cnn3' });
  expect(a.parameterCount()).toBe(cnn3.parameterCount());
  [a, b, cnn3].forEach((c) => c.dispose());
});

it('frees every tensor it made when disposed (services build one per inline request)', () => {
  const { cnn3, message } = cnn3AndLayersMessage();
  const before = tf.memory().numTensors;
  const layers = fromModelMessage(message);
  const x = images();
  tf.dispose([layers.logits(x), x]);
  layers.dispose();
  expect(tf.memory().numTensors).toBe(before);
  cnn3.dispose();
});
