import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { status } from '@grpc/grpc-js';
import { DEFAULT_ATTACK, measureSpaceScale, robustnessOfBatch, RunningMoments, spaceScaleOf, type AttackSpec } from '@conjugate/attacks';
import { connectAttackService, connectDataService, connectTrainingService, type AttackClient, type TrainingClient } from '@conjugate/clients';
import { createClassifier, fromModelMessage, toModelMessage, type TrainableClassifier } from '@conjugate/models';
import { presetConfig } from '@conjugate/presets';
import { RunState, Space, Split, type EvaluateRobustnessRequest, type ModelSource, type Progress } from '@conjugate/proto';
import { createLogger, type GrpcServiceHandle, type ServiceProcess, startServiceProcess } from '@conjugate/service-kit';
import { toTensorMessage } from '@conjugate/tensor';
import { startAttackService } from './attack-service';

// The attack-service against the real data-service and training-service, each its own process:
// a tiny model is trained on MNIST by the training-service, then attacked by reference.
let runsDir: string;
let data: ServiceProcess;
let training: ServiceProcess;
let trainingClient: TrainingClient;
let service: GrpcServiceHandle;
let client: AttackClient;
let runId: string;
let trained: TrainableClassifier;
let test: { images: tf.Tensor4D; labels: tf.Tensor1D };

const SLICE = 96;
const TERMINAL = [RunState.RUN_STATE_COMPLETED, RunState.RUN_STATE_FAILED, RunState.RUN_STATE_STOPPED];

beforeAll(async () => {
  runsDir = await mkdtemp(join(tmpdir(), 'attack-service-runs-'));
  data = await startServiceProcess('data-service');
  training = await startServiceProcess('training-service', { RUNS_DIR: runsDir, DATA_SERVICE_ADDRESS: data.address });
  service = await startAttackService({
    port: 0,
    host: '127.0.0.1',
    dataServiceAddress: data.address,
    trainingServiceAddress: training.address,
    logger: createLogger('attack-service-test', { level: 'silent' }),
  });
  client = connectAttackService(service.address);

  trainingClient = connectTrainingService(training.address);
  const run = await trainingClient.startRun(presetConfig('tiny'));
  runId = run.id;
  for await (const event of trainingClient.watchRun(runId)) {
    if (event.event?.$case === 'status' && TERMINAL.includes(event.event.value.state)) break;
  }
  const finished = await trainingClient.getRun(runId);
  if (finished.state !== RunState.RUN_STATE_COMPLETED) throw new Error(`tiny run ended ${RunState[finished.state]}: ${training.log()}`);
  trained = fromModelMessage(await trainingClient.getCheckpoint(runId, -1));

  const dataClient = connectDataService(data.address);
  const images: Float32Array[] = [];
  const labels: Int32Array[] = [];
  for await (const batch of dataClient.streamBatches({ dataset: 'mnist', split: Split.SPLIT_TEST, batchSize: SLICE, limit: SLICE })) {
    images.push(Float32Array.from(batch.images));
    labels.push(Int32Array.from(batch.labels));
  }
  dataClient.close();
  test = { images: tf.tensor4d(images[0], [SLICE, 28, 28, 1]), labels: tf.tensor1d(labels[0], 'int32') };
}, 120_000);

afterAll(async () => {
  client?.close();
  trainingClient?.close();
  await service?.shutdown(0);
  await training?.stop();
  await data?.stop();
  await rm(runsDir, { recursive: true, force: true });
  if (test) tf.dispose([test.images, test.labels]);
  trained?.dispose();
});

const byRef = (epoch = -1): ModelSource => ({ source: { $case: 'ref', value: { runId, epoch } } });
const evaluation = (overrides: Partial<EvaluateRobustnessRequest> = {}): EvaluateRobustnessRequest => ({
  model: byRef(),
  dataset: 'mnist',
  split: Split.SPLIT_TEST,
  offset: 0,
  limit: SLICE,
  indices: [],
  batchSize: 32,
  shardIndex: 0,
  shardCount: 0,
  ...overrides,
});

describe('attack-service with the data- and training-services', () => {
  it('attacks a batch with a checkpoint by reference, as the library does with that checkpoint', async () => {
    const response = await client.attackBatch({ model: byRef(), images: toTensorMessage(test.images), labels: toTensorMessage(test.labels) });
    const local = robustnessOfBatch(trained, test.images, test.labels, DEFAULT_ATTACK);
    const truth = Array.from(test.labels.dataSync());
    const clean = truth.map((_, i) => response.cleanPredictions!.data.readInt32LE(4 * i));
    const adversarial = truth.map((_, i) => response.adversarialPredictions!.data.readInt32LE(4 * i));
    expect(truth.filter((label, i) => clean[i] === label).length).toBe(local.cleanCorrect);
    expect(truth.filter((label, i) => clean[i] === label && adversarial[i] === label).length).toBe(local.robustCorrect);
    expect(local.robustCorrect).toBeLessThan(local.cleanCorrect);
  });

  it.each([
    ['pixel', Space.SPACE_PIXEL],
    ['feature', Space.SPACE_FEATURE],
  ] as const)('evaluates robust accuracy over a streamed slice in %s space, equal to the in-process counts', async (space, protoSpace) => {
    const progress: Progress[] = [];
    const result = await client.evaluateRobustness(evaluation({ attack: { method: 0, norm: 0, space: protoSpace, randomStart: false, seed: 0 } }), {
      onProgress: (p) => progress.push(p),
    });
    // The feature budget is measured over the whole slice, so one batch of all of it gives the same counts.
    const spec: AttackSpec = { ...DEFAULT_ATTACK, space };
    const scale = space === 'feature' ? measureSpaceScale(trained, test.images) : undefined;
    const local = robustnessOfBatch(trained, test.images, test.labels, spec, { scale });
    expect(result).toMatchObject({ total: SLICE, cleanCorrect: local.cleanCorrect, robustCorrect: local.robustCorrect, space: protoSpace });
    expect(result.cleanAccuracy).toBeGreaterThan(0.5);
    expect(result.robustAccuracy).toBeLessThan(result.cleanAccuracy);
    if (space === 'pixel') expect(result.epsilonUsed).toBeCloseTo(8 / 255, 6);
    else expect(result.epsilonUsed).toBeCloseTo(((8 / 255) * scale!.featureStd) / scale!.pixelStd, 5);
    expect(progress.filter((p) => p.stage === `attack/${space}`).map((p) => [p.done, p.total])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it.each([
    ['pixel', Space.SPACE_PIXEL],
    ['feature', Space.SPACE_FEATURE],
  ] as const)('in %s space, shards of the slice add up to the unsharded counts with the same budget', async (_space, protoSpace) => {
    const attack = { method: 0, norm: 0, space: protoSpace, randomStart: false, seed: 0 };
    const whole = await client.evaluateRobustness(evaluation({ attack }));
    // 3 batches of 32 over 2 shards: shard 0 attacks batches 0 and 2, shard 1 batch 1.
    const progress: Progress[][] = [[], []];
    const shards = await Promise.all([0, 1].map((shardIndex) =>
      client.evaluateRobustness(evaluation({ attack, shardIndex, shardCount: 2 }), { onProgress: (p) => progress[shardIndex].push(p) })));
    expect(shards.map((r) => r.total)).toEqual([64, 32]);
    expect(shards[0].cleanCorrect + shards[1].cleanCorrect).toBe(whole.cleanCorrect);
    expect(shards[0].robustCorrect + shards[1].robustCorrect).toBe(whole.robustCorrect);
    for (const shard of shards) {
      expect(shard.epsilonUsed).toBe(whole.epsilonUsed);
      expect(shard.stepSizeUsed).toBe(whole.stepSizeUsed);
    }
    // Progress counts each shard's own batches.
    expect(progress.map((p) => p.filter((u) => u.stage.startsWith('attack/')).map((u) => [u.done, u.total]))).toEqual([[[1, 2], [2, 2]], [[1, 1]]]);
  });

  it('the pixel evaluation\'s sums give the slice\'s feature scale; feature shards given it count as one evaluation that measures it', async () => {
    const pixelShards = await Promise.all([0, 1].map((shardIndex) => client.evaluateRobustness(evaluation({ shardIndex, shardCount: 2 }))));
    const pixels = new RunningMoments();
    const features = new RunningMoments();
    for (const shard of pixelShards) {
      pixels.addSums(shard.pixelSums!);
      features.addSums(shard.featureSums!);
    }
    const scale = spaceScaleOf(pixels, features);
    const measured = measureSpaceScale(trained, test.images);
    expect(scale.pixelStd).toBeCloseTo(measured.pixelStd, 12);
    expect(scale.featureStd).toBeCloseTo(measured.featureStd, 12);
    expect(scale.nonNegativeFeatures).toBe(measured.nonNegativeFeatures);

    const attack = { method: 0, norm: 0, space: Space.SPACE_FEATURE, randomStart: false, seed: 0 };
    const whole = await client.evaluateRobustness(evaluation({ attack }));
    const progress: Progress[] = [];
    const given = await Promise.all([0, 1].map((shardIndex) =>
      client.evaluateRobustness(evaluation({ attack, shardIndex, shardCount: 2, featureScale: scale }), { onProgress: (p) => progress.push(p) })));
    expect(given[0].cleanCorrect + given[1].cleanCorrect).toBe(whole.cleanCorrect);
    expect(given[0].robustCorrect + given[1].robustCorrect).toBe(whole.robustCorrect);
    expect(given[0].epsilonUsed).toBeCloseTo(whole.epsilonUsed, 6);
    // No pass over the whole slice to measure the scale.
    expect(progress.filter((p) => p.stage === 'scale/feature')).toEqual([]);
  });

  it.each([
    ['an unknown run', () => ({ model: { source: { $case: 'ref' as const, value: { runId: 'no-such-run', epoch: 0 } } } }), status.NOT_FOUND, /no-such-run/],
    ['an epoch the run does not have', () => ({ model: byRef(99) }), status.NOT_FOUND, /epoch/],
    ['an unknown dataset', () => ({ dataset: 'imagenet' }), status.NOT_FOUND, /imagenet/],
    ['a dataset the model does not fit', () => ({ model: inlineTiny([8, 8, 1], 10) }), status.INVALID_ARGUMENT, /dataset: "mnist" images are \[28, 28, 1\]/],
    ['labels beyond the model', () => ({ model: inlineTiny([28, 28, 1], 3) }), status.INVALID_ARGUMENT, /labels: each label must be in \[0, 3\)/],
    ['no split', () => ({ split: Split.SPLIT_UNSPECIFIED }), status.INVALID_ARGUMENT, /^split/],
    ['a shard index beyond the count', () => ({ shardIndex: 2, shardCount: 2 }), status.INVALID_ARGUMENT, /^shard_index: must be in \[0, 1\] for shard_count 2, got 2/],
    ['too many shards', () => ({ shardCount: 5000 }), status.INVALID_ARGUMENT, /^shard_count: must be in \[0, 1024\]/],
    ['a shard without a batch', () => ({ shardIndex: 3, shardCount: 4 }), status.INVALID_ARGUMENT, /^shard_index: shard 3 of 4 holds no batch \(the slice has fewer than 4 batches of 32/],
    ['a feature scale that is not one', () => ({ featureScale: { pixelStd: 0.3, featureStd: Number.NaN, nonNegativeFeatures: true } }), status.INVALID_ARGUMENT, /^feature_scale.feature_std: must be finite and > 0, got NaN/],
    ['an empty slice (feature space)', () => ({ offset: 10_000, attack: { method: 0, norm: 0, space: Space.SPACE_FEATURE, randomStart: false, seed: 0 } }), status.INVALID_ARGUMENT, /offset/],
  ])('answers %s with a status naming it', async (_case, overrides, code, details) => {
    await expect(client.evaluateRobustness(evaluation(overrides()))).rejects.toMatchObject({ code, details: expect.stringMatching(details) });
  });
});

function inlineTiny(inputShape: [number, number, number], numClasses: number): ModelSource {
  const model = createClassifier({ architecture: 'tiny', inputShape, numClasses, seed: 3 });
  try {
    return { source: { $case: 'inline', value: toModelMessage(model) } };
  } finally {
    model.dispose();
  }
}
