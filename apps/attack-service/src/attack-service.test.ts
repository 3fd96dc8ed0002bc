import * as tf from '@tensorflow/tfjs-core';
import { status } from '@grpc/grpc-js';
import { DEFAULT_ATTACK, disposeAttackResult, runAttack } from '@conjugate/attacks';
import { initBackend } from '@conjugate/backend';
import { connectAttackService, type AttackClient } from '@conjugate/clients';
import { createClassifier, toModelMessage, type TrainableClassifier } from '@conjugate/models';
import {
  AttackMethod,
  DType,
  Norm,
  Space,
  type AttackBatchRequest,
  type AttackBatchResponse,
  type AttackSpec,
  type Model,
} from '@conjugate/proto';
import { createLogger, type GrpcServiceHandle } from '@conjugate/service-kit';
import { fromTensorMessage, toTensorMessage } from '@conjugate/tensor';
import { startAttackService } from './attack-service';

const shape: [number, number, number] = [8, 8, 1];
let service: GrpcServiceHandle;
let client: AttackClient;
let model: TrainableClassifier;
let inline: Model;
let images: tf.Tensor4D;
let labels: tf.Tensor1D;

beforeAll(async () => {
  await initBackend();
  service = await startAttackService({ port: 0, host: '127.0.0.1', logger: createLogger('attack-service-test', { level: 'silent' }) });
  client = connectAttackService(service.address);
  model = createClassifier({ architecture: 'tiny', inputShape: shape, numClasses: 3, seed: 1 });
  inline = toModelMessage(model);
  images = tf.randomUniform([6, ...shape], 0, 1, 'float32', 'images') as tf.Tensor4D;
  labels = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
});

afterAll(async () => {
  client.close();
  await service.shutdown(0);
  tf.dispose([images, labels]);
  model.dispose();
});

const attackBatch = (request: AttackBatchRequest) => client.attackBatch(request);

const spec = (overrides: Partial<AttackSpec> = {}): AttackSpec => ({ method: 0, norm: 0, space: 0, randomStart: false, seed: 0, ...overrides });
const request = (overrides: Partial<AttackBatchRequest> = {}): AttackBatchRequest => ({
  model: { source: { $case: 'inline', value: inline } },
  attack: spec(),
  images: toTensorMessage(images),
  labels: toTensorMessage(labels),
  ...overrides,
});
/** Builds a request, disposing the tf tensors made only to encode it. */
function encodedOnly(make: () => AttackBatchRequest): AttackBatchRequest {
  let built: AttackBatchRequest | undefined;
  tf.tidy(() => {
    built = make();
  });
  return built!;
}
const values = (message: AttackBatchResponse[keyof AttackBatchResponse]) => {
  const t = fromTensorMessage(message as NonNullable<AttackBatchResponse['adversarial']>);
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
};

describe('attack-service AttackBatch over a socket', () => {
  it("attacks in pixel space with the paper's defaults, as the library does in-process", async () => {
    const response = await attackBatch(request());
    const local = runAttack(model, images, labels, DEFAULT_ATTACK);
    expect(response.adversarial?.shape).toEqual([6, ...shape]);
    expect(response.epsilonUsed).toBeCloseTo(8 / 255, 7);
    expect(response.stepSizeUsed).toBeCloseTo(2 / 255, 7);
    expect(values(response.cleanPredictions)).toEqual(Array.from(local.cleanPredictions.dataSync()));
    expect(values(response.adversarialPredictions)).toEqual(Array.from(local.adversarialPredictions.dataSync()));
    const gap = values(response.adversarial).reduce((worst, v, i) => Math.max(worst, Math.abs(v - local.adversarial.dataSync()[i])), 0);
    expect(gap).toBeLessThan(1e-6);
    expect(Math.max(...values(response.perturbationNorms))).toBeLessThanOrEqual(8 / 255 + 1e-6);
    disposeAttackResult(local);
  });

  it('attacks in feature space, returning features and the absolute budget used', async () => {
    const response = await attackBatch(request({ attack: spec({ space: Space.SPACE_FEATURE, method: AttackMethod.ATTACK_METHOD_FGSM, norm: Norm.NORM_L2, epsilon: 0.5 }) }));
    expect(response.adversarial?.shape).toEqual([6, model.spec.featureSize]);
    expect(response.epsilonUsed).not.toBeCloseTo(0.5, 3);
    const norms = values(response.perturbationNorms);
    expect(Math.max(...norms)).toBeLessThanOrEqual(response.epsilonUsed * (1 + 1e-5));
    expect(Math.min(...values(response.adversarial))).toBeGreaterThanOrEqual(0);
  });

  const badRequests: [string, () => AttackBatchRequest, status, RegExp][] = [
    ['ε < 0', () => request({ attack: spec({ epsilon: -0.1 }) }), status.INVALID_ARGUMENT, /attack\.epsilon/],
    ['steps < 0', () => request({ attack: spec({ steps: -2 }) }), status.INVALID_ARGUMENT, /attack\.steps/],
    ['an unknown norm', () => request({ attack: spec({ norm: 9 as Norm }) }), status.INVALID_ARGUMENT, /attack\.norm/],
    ['an unknown space', () => request({ attack: spec({ space: 5 as Space }) }), status.INVALID_ARGUMENT, /attack\.space/],
    ['images of another shape', () => request({ images: toTensorMessage(tf.zeros([6, 8, 8, 3])) }), status.INVALID_ARGUMENT, /images/],
    ['int32 images', () => request({ images: toTensorMessage(tf.zeros([6, 8, 8, 1], 'int32')) }), status.INVALID_ARGUMENT, /images: dtype/],
    ['bytes not matching the shape', () => request({ images: { dtype: DType.DTYPE_FLOAT32, shape: [6, 8, 8, 1], data: Buffer.alloc(12) } }), status.INVALID_ARGUMENT, /images: data has 12 bytes/],
    ['labels out of range', () => request({ labels: toTensorMessage(tf.tensor1d([0, 1, 2, 3, 0, 1], 'int32')) }), status.INVALID_ARGUMENT, /labels: each label must be in \[0, 3\), got 3/],
    ['one label too few', () => request({ labels: toTensorMessage(tf.tensor1d([0, 1, 2, 0, 1], 'int32')) }), status.INVALID_ARGUMENT, /labels/],
    ['no images', () => request({ images: undefined }), status.INVALID_ARGUMENT, /images: required/],
    ['no model', () => request({ model: undefined }), status.INVALID_ARGUMENT, /model: required/],
    [
      'an unknown architecture',
      () => request({ model: { source: { $case: 'inline', value: { ...inline, spec: { ...inline.spec!, architecture: 'vgg' } } } } }),
      status.NOT_FOUND,
      /model\.inline\.spec\.architecture/,
    ],
    ['a reference with no training-service', () => request({ model: { source: { $case: 'ref', value: { runId: 'r', epoch: 0 } } } }), status.FAILED_PRECONDITION, /model\.ref/],
  ];

  it.each(badRequests)('answers %s with a status naming the field', async (_case, make, code, details) => {
    await expect(attackBatch(encodedOnly(make))).rejects.toMatchObject({ code, details: expect.stringMatching(details) });
  });

  it('is cancelled when the caller aborts, and the service stops and frees what it held', async () => {
    const count = async (name: string) => (await service.metrics.registry.getSingleMetric(name)!.get()).values.reduce((sum, v) => sum + v.value, 0);
    const waitFor = async (done: () => Promise<boolean>) => {
      for (let i = 0; i < 500 && !(await done()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    const before = tf.memory().numTensors;
    const started = await count('grpc_server_started_total');
    const abort = new AbortController();
    const call = client.attackBatch(request({ attack: spec({ steps: 1000 }) }), { signal: abort.signal });
    // Abort once the service runs the call, then wait until it has ended it (no timing asserted).
    await waitFor(async () => (await count('grpc_server_started_total')) > started);
    abort.abort();
    await expect(call).rejects.toMatchObject({ code: status.CANCELLED });
    await waitFor(async () => (await count('grpc_server_handled_total')) === (await count('grpc_server_started_total')));
    expect(await count('grpc_server_handled_total')).toBe(await count('grpc_server_started_total'));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('holds the same number of tensors before and after 100 requests, good and bad', async () => {
    await attackBatch(request()); // warm-up: kernels and backend state allocated once
    const bad = encodedOnly(() => request({ labels: toTensorMessage(tf.tensor1d([0, 1, 2, 7, 0, 1], 'int32')) }));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) {
      const space = i % 2 === 0 ? Space.SPACE_PIXEL : Space.SPACE_FEATURE;
      if (i % 10 === 9) await expect(attackBatch(bad)).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
      else await attackBatch(request({ attack: spec({ space, randomStart: i % 3 === 0, seed: i }) }));
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('attack-service EvaluateRobustness without a data-service', () => {
  it('answers FAILED_PRECONDITION, and INVALID_ARGUMENT first for a bad request', async () => {
    const evaluation = { model: { source: { $case: 'inline' as const, value: inline } }, dataset: 'mnist', split: 2, offset: 0, limit: 8, indices: [], batchSize: 8, shardIndex: 0, shardCount: 0 };
    await expect(client.evaluateRobustness(evaluation)).rejects.toMatchObject({ code: status.FAILED_PRECONDITION, details: expect.stringMatching(/no data-service/) });
    await expect(client.evaluateRobustness({ ...evaluation, attack: spec({ epsilon: -1 }) })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/attack\.epsilon/) });
    await expect(client.evaluateRobustness({ ...evaluation, dataset: '' })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/^dataset: required/) });
  });
});
