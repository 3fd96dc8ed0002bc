import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { createClassifier, type TrainableClassifier } from '@conjugate/models';
import { batchesOf } from './batch';
import { createOptimizer } from './optimizer';
import { restoreOptimizerState, saveOptimizerState } from './optimizer-state';
import { quadrantImages } from './test-data';
import { trainEpoch } from './train-epoch';
import { evaluateAccuracy } from './evaluate-accuracy';

let data: { images: tf.Tensor4D; labels: tf.Tensor1D };
beforeAll(async () => {
  await initBackend();
  data = quadrantImages(96, 1);
});
afterAll(() => tf.dispose(data));

const tiny = () => createClassifier({ architecture: 'tiny', inputShape: [8, 8, 1], numClasses: 4, seed: 3 });
const bits = (model: TrainableClassifier) => model.weightNames.map((n) => Array.from(new Uint32Array((model.weight(n)!.dataSync() as Float32Array).slice().buffer)));

it('learns a separable problem: loss falls, accuracy reaches 100%, no tensors leak', async () => {
  const model = tiny();
  const optimizer = createOptimizer('adam', 0.01);
  await trainEpoch(model, batchesOf(data.images, data.labels, 16), optimizer); // creates Adam's slots
  const before = tf.memory().numTensors;
  const progress: number[] = [];
  const second = await trainEpoch(model, batchesOf(data.images, data.labels, 16), optimizer, { onBatch: (p) => progress.push(p.images) });
  expect(tf.memory().numTensors).toBe(before);
  expect(progress).toEqual([16, 32, 48, 64, 80, 96]);
  expect(second.images).toBe(96);
  let last = second;
  for (let epoch = 0; epoch < 3; epoch++) last = await trainEpoch(model, batchesOf(data.images, data.labels, 16), optimizer);
  expect(last.loss).toBeLessThan(second.loss);
  const evaluation = await evaluateAccuracy(model, batchesOf(data.images, data.labels, 32));
  expect(evaluation.accuracy).toBe(1);
  expect(evaluation.images).toBe(96);
  optimizer.dispose();
  model.dispose();
});

it('is deterministic: same seed, data and backend give bit-identical weights and metrics', async () => {
  const run = async () => {
    const model = tiny();
    const optimizer = createOptimizer('adam');
    const results = [];
    for (let epoch = 0; epoch < 2; epoch++) results.push((await trainEpoch(model, batchesOf(data.images, data.labels, 10), optimizer)).loss);
    const weights = bits(model);
    optimizer.dispose();
    model.dispose();
    return { results, weights };
  };
  const a = await run();
  const b = await run();
  expect(b.results).toEqual(a.results);
  expect(b.weights).toEqual(a.weights);
});

it.each(['adam', 'sgd'] as const)('%s resumed from saved state continues bit-exactly', async (kind) => {
  // Straight: two epochs. Batches of 4 (24 steps an epoch): enough steps that Adam's β-power products
  // differ from pow() in the last bit, which the restore must preserve.
  const straight = tiny();
  const optimizer = createOptimizer(kind);
  await trainEpoch(straight, batchesOf(data.images, data.labels, 4), optimizer);
  const state = await saveOptimizerState(optimizer, straight.weightNames);
  const checkpoint = straight.weightNames.map((n) => tf.clone(straight.weight(n)!));
  await trainEpoch(straight, batchesOf(data.images, data.labels, 4), optimizer);

  // Resumed: fresh model and optimizer from the epoch-1 state, then the second epoch.
  const resumed = tiny();
  resumed.trainableVariables().forEach((v, i) => v.assign(checkpoint[i]));
  const fresh = createOptimizer(kind);
  await restoreOptimizerState(fresh, resumed.weightNames, state);
  await trainEpoch(resumed, batchesOf(data.images, data.labels, 4), fresh);

  expect(bits(resumed)).toEqual(bits(straight));
  expect(state.map((s) => s.name).slice(0, 2)).toEqual(kind === 'adam' ? ['iterations', 'm/conv1/kernel'] : ['iterations']);
  tf.dispose([...checkpoint, ...state.map((s) => s.tensor)]);
  [optimizer, fresh].forEach((o) => o.dispose());
  [straight, resumed].forEach((m) => m.dispose());
});

it('stops between batches when aborted, disposing what it did not use', async () => {
  const model = tiny();
  const optimizer = createOptimizer('sgd');
  const controller = new AbortController();
  const before = tf.memory().numTensors;
  await expect(
    trainEpoch(model, batchesOf(data.images, data.labels, 16), optimizer, { signal: controller.signal, onBatch: (p) => p.batches === 2 && controller.abort(new Error('stopped by test')) }),
  ).rejects.toThrow('stopped by test');
  expect(tf.memory().numTensors).toBe(before);
  optimizer.dispose();
  model.dispose();
});

it('refuses an empty stream', async () => {
  const model = tiny();
  await expect(trainEpoch(model, [], createOptimizer())).rejects.toThrow(/no training images/);
  await expect(evaluateAccuracy(model, [])).rejects.toThrow(/no images/);
  model.dispose();
});
