import * as tf from '@tensorflow/tfjs-core';
import { setTimeout as sleep } from 'node:timers/promises';
import { status } from '@grpc/grpc-js';
import { initBackend } from '@conjugate/backend';
import { connectAttackService, type AttackClient } from '@conjugate/clients';
import { createClassifier, toModelMessage, type TrainableClassifier } from '@conjugate/models';
import { DType, Norm, type AttackBatchRequest, type AttackSpec, type Model } from '@conjugate/proto';
import { checkHealth, createLogger, MAX_REQUEST_COST_ENV, type GrpcServiceHandle } from '@conjugate/service-kit';
import { toTensorMessage } from '@conjugate/tensor';
import { startAttackService } from './attack-service';

// Requests a hostile client sends (issue 19): each is refused with a clear status, and the service stays healthy.
const shape: [number, number, number] = [8, 8, 1];
let service: GrpcServiceHandle;
let client: AttackClient;
let model: TrainableClassifier;
let inline: Model;

beforeAll(async () => {
  await initBackend();
  service = await startAttackService({ port: 0, host: '127.0.0.1', logger: createLogger('attack-hostile-test', { level: 'silent' }) });
  client = connectAttackService(service.address);
  model = createClassifier({ architecture: 'tiny', inputShape: shape, numClasses: 3, seed: 1 });
  inline = toModelMessage(model);
});
afterAll(async () => {
  client.close();
  await service.shutdown(0);
  model.dispose();
});

const spec = (overrides: Partial<AttackSpec> = {}): AttackSpec => ({ method: 0, norm: 0, space: 0, randomStart: false, seed: 0, ...overrides });
function request(batch: number, overrides: Partial<AttackBatchRequest> = {}): AttackBatchRequest {
  const images = tf.randomUniform([batch, ...shape], 0, 1, 'float32', 3);
  const labels = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 3), 'int32');
  try {
    return { model: { source: { $case: 'inline', value: inline } }, attack: spec(), images: toTensorMessage(images), labels: toTensorMessage(labels), ...overrides };
  } finally {
    tf.dispose([images, labels]);
  }
}
const refusal = (promise: Promise<unknown>) => promise.then(() => ({ code: status.OK, details: '' }), (error: { code: number; details: string }) => error);

describe('attack-service refuses hostile requests', () => {
  it.each([
    ['steps = 2^31 − 1', () => ({ attack: spec({ steps: 2 ** 31 - 1 }) }), /^attack\.steps: must be an integer in \[0, 1000\]/],
    ['epsilon = 1e30', () => ({ attack: spec({ epsilon: 1e30 }) }), /^attack\.epsilon: /],
    ['an L2 step size of Infinity', () => ({ attack: spec({ norm: Norm.NORM_L2, stepSize: Infinity }) }), /^attack\.step_size: /],
    ['a 100 000-character run id', () => ({ model: { source: { $case: 'ref', value: { runId: 'r'.repeat(100_000), epoch: 0 } } } }), /^model\.ref\.run_id: at most 128 characters, got 100000$/],
    ['num_classes = 2^31 − 1', () => ({ model: { source: { $case: 'inline', value: { ...inline, spec: { ...inline.spec!, numClasses: 2 ** 31 - 1 } } } } }), /^model\.inline\.spec\.num_classes: /],
    ['input_shape [2^40, 28, 1]', () => ({ model: { source: { $case: 'inline', value: { ...inline, spec: { ...inline.spec!, inputShape: [2 ** 40, 28, 1] } } } } }), /^model\.inline\.spec\.input_shape\[0\]: /],
  ] as const)('%s → INVALID_ARGUMENT naming the field', async (_name, overrides, message) => {
    const error = await refusal(client.attackBatch(request(2, overrides() as Partial<AttackBatchRequest>)));
    expect(error).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(message) });
  });

  it('refuses NaN weights of an inline model', async () => {
    const weights = inline.weights.map((w, i) => (i === 0 ? { ...w, tensor: { dtype: DType.DTYPE_FLOAT32, shape: w.tensor!.shape, data: Buffer.from(new Float32Array(w.tensor!.data.length / 4).fill(NaN).buffer) } } : w));
    const error = await refusal(client.attackBatch(request(2, { model: { source: { $case: 'inline', value: { ...inline, weights } } } })));
    expect(error).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/^model\.inline\.weights\[0\] /) });
  });

  it('refuses work above the cost ceiling with RESOURCE_EXHAUSTED naming the limit', async () => {
    process.env[MAX_REQUEST_COST_ENV] = '1000';
    try {
      const error = await refusal(client.attackBatch(request(2)));
      expect(error).toMatchObject({ code: status.RESOURCE_EXHAUSTED, details: expect.stringContaining(`${MAX_REQUEST_COST_ENV}=1.00e+3`) });
    } finally {
      delete process.env[MAX_REQUEST_COST_ENV];
    }
  });

  it('stops a long PGD at the deadline, answers health meanwhile and frees its tensors', async () => {
    const before = tf.memory().numTensors;
    // Far more work than the deadline allows on any machine (a fast quiet one did 64 images × 1000 steps in 1.5 s).
    const heavy = request(256, { attack: spec({ steps: 1000 }) });
    let finished = false;
    const attack = refusal(client.attackBatch(heavy, { deadlineMs: 600 })).finally(() => {
      finished = true;
    });
    await sleep(150);
    expect(await checkHealth(service.address)).toBe('SERVING');
    expect(finished).toBe(false);
    expect(await attack).toMatchObject({ code: status.DEADLINE_EXCEEDED });
    // The handler stops at its next step; wait until it has (no timing asserted).
    for (let i = 0; i < 100 && tf.memory().numTensors !== before; i++) await sleep(20);
    expect(tf.memory().numTensors).toBe(before);
    expect(await checkHealth(service.address)).toBe('SERVING');
  });
});
