import * as tf from '@tensorflow/tfjs-core';
import { status } from '@grpc/grpc-js';
import { initBackend } from '@conjugate/backend';
import { cnn3AsLayersTopology, createClassifier, toModelMessage } from '@conjugate/models';
import { Estimator, Space, type EnsembleSummary, type EstimateRequest, type Model, type PacketSummary, type UncertaintyServiceClient } from '@conjugate/proto';
import { createLogger, type GrpcServiceHandle } from '@conjugate/service-kit';
import { toTensorMessage } from '@conjugate/tensor';
import { startUncertaintyService } from './uncertainty-service';
import { client, runEstimate } from './test-requests';

// A caller's TF.js Layers model with cnn3's layers and weights gives the built-in cnn3's Δx, Δp and
// Δx·Δp with both estimators in both spaces (the same seeds, so the same samples).
let service: GrpcServiceHandle;
let uncertainty: UncertaintyServiceClient;
let cnn3: Model;
let layers: Model;
let points: EstimateRequest['points'];

beforeAll(async () => {
  await initBackend();
  service = await startUncertaintyService({ port: 0, host: '127.0.0.1', logger: createLogger('uncertainty-service-test', { level: 'silent' }) });
  uncertainty = client(service.address);
  const built = createClassifier({ architecture: 'cnn3', seed: 8 });
  for (const v of built.trainableVariables()) v.assign(tf.tidy(() => tf.add(v, tf.randomNormal(v.shape, 0, 0.05, 'float32', 3))));
  cnn3 = toModelMessage(built);
  built.dispose();
  const topology = { modelTopologyJson: cnn3AsLayersTopology({ softmax: true }), inputMin: 0, inputMax: 0 };
  layers = { ...cnn3, spec: { architecture: 'layers', inputShape: [], numClasses: 0, featureLayer: 'conv3', seed: 0, layers: topology } };
  tf.tidy(() => {
    const images = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 'points');
    points = { points: { $case: 'inline', value: { images: toTensorMessage(images), labels: toTensorMessage(tf.tensor1d([0, 1, 2, 3], 'int32')) } } };
  });
});

afterAll(async () => {
  uncertainty?.close();
  await service?.shutdown(0);
});

const request = (model: Model, estimator: Estimator, space: Space): EstimateRequest => ({
  model: { source: { $case: 'inline', value: model } },
  points,
  spec: { estimator, space, seed: 3, sigmaSweep: [], shardIndex: 0, shardCount: 0, batchSize: 0, numSamples: 16, bootstrapResamples: 20 },
});

const close = (a: number | undefined, b: number | undefined) => expect(Math.abs(a! - b!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(b!)));

it.each([
  ['ensemble', 'pixel', Estimator.ESTIMATOR_ENSEMBLE, Space.SPACE_PIXEL],
  ['ensemble', 'feature', Estimator.ESTIMATOR_ENSEMBLE, Space.SPACE_FEATURE],
  ['packet', 'pixel', Estimator.ESTIMATOR_PACKET, Space.SPACE_PIXEL],
  ['packet', 'feature', Estimator.ESTIMATOR_PACKET, Space.SPACE_FEATURE],
] as const)('%s estimator, %s space: the Layers model gives cnn3\'s Δx, Δp and Δx·Δp', async (_e, _s, estimator, space) => {
  const [own, builtIn] = await Promise.all([runEstimate(uncertainty, request(layers, estimator, space)), runEstimate(uncertainty, request(cnn3, estimator, space))]);
  expect(own.result.result?.$case).toBe(builtIn.result.result?.$case);
  const a = (own.result.result!.value as { overall: EnsembleSummary | PacketSummary }).overall;
  const b = (builtIn.result.result!.value as { overall: EnsembleSummary | PacketSummary }).overall;
  expect(a.numPoints).toBe(4);
  expect(b.meanProduct!.value).toBeGreaterThan(0);
  close(a.meanDx!.value, b.meanDx!.value);
  close(a.meanDp!.value, b.meanDp!.value);
  close(a.meanProduct!.value, b.meanProduct!.value);
});

it('refuses a custom layer with INVALID_ARGUMENT naming it', async () => {
  const custom = { ...layers, spec: { ...layers.spec!, layers: { ...layers.spec!.layers!, modelTopologyJson: layers.spec!.layers!.modelTopologyJson.replace('"MaxPooling2D"', '"MyPooling"') } } };
  await expect(runEstimate(uncertainty, request(custom, Estimator.ESTIMATOR_PACKET, Space.SPACE_PIXEL))).rejects.toMatchObject({
    code: status.INVALID_ARGUMENT,
    details: expect.stringMatching(/layer "pool1" has unsupported class "MyPooling"/),
  });
});
