import * as tf from '@tensorflow/tfjs-core';
import { status } from '@grpc/grpc-js';
import { initBackend } from '@conjugate/backend';
import { createClassifier, toModelMessage } from '@conjugate/models';
import type { Model, ModelRef } from '@conjugate/proto';
import { GrpcError } from '@conjugate/service-kit';
import { ModelResolver } from './model-resolver';

beforeAll(() => initBackend());

const shape: [number, number, number] = [6, 6, 1];

/** A checkpoint store of runs "a", "b", "c" with epochs 0..2 (the seed encodes run and epoch); latest = 2. */
function checkpointStore() {
  const calls: ModelRef[] = [];
  const fetchCheckpoint = async (ref: ModelRef): Promise<Model> => {
    calls.push(ref);
    const run = ['a', 'b', 'c'].indexOf(ref.runId);
    if (run < 0 || ref.epoch > 2) throw new GrpcError(status.NOT_FOUND, `no run "${ref.runId}" epoch ${ref.epoch}`);
    const epoch = ref.epoch < 0 ? 2 : ref.epoch;
    const model = createClassifier({ architecture: 'tiny', inputShape: shape, numClasses: 3, seed: 10 * run + epoch });
    try {
      return toModelMessage(model, { runId: ref.runId, epoch });
    } finally {
      model.dispose();
    }
  };
  return { calls, fetchCheckpoint };
}

function logitsOf(model: { logits(x: tf.Tensor4D): tf.Tensor2D }): number[] {
  return tf.tidy(() => Array.from(model.logits(tf.fill([1, ...shape], 0.5) as tf.Tensor4D).dataSync()));
}

describe('ModelResolver', () => {
  it('builds an inline model per request and disposes it on release', async () => {
    const original = createClassifier({ architecture: 'tiny', inputShape: shape, numClasses: 3, seed: 7 });
    const message = toModelMessage(original);
    const resolver = new ModelResolver();
    const before = tf.memory().numTensors;
    const resolved = await resolver.resolve({ source: { $case: 'inline', value: message } });
    expect(logitsOf(resolved.classifier)).toEqual(logitsOf(original));
    resolved.release();
    resolved.release(); // a second release is harmless
    expect(tf.memory().numTensors).toBe(before);
    original.dispose();
  });

  it.each([
    ['no source', {}, status.INVALID_ARGUMENT, /^model: required/],
    ['a reference without run', { source: { $case: 'ref' as const, value: { runId: '', epoch: 0 } } }, status.INVALID_ARGUMENT, /^model\.ref\.run_id: required/],
    ['an inline model without spec', { source: { $case: 'inline' as const, value: { weights: [], runId: '', epoch: 0 } } }, status.INVALID_ARGUMENT, /^model\.inline\.spec: missing/],
    [
      'an unknown architecture',
      { source: { $case: 'inline' as const, value: { spec: { architecture: 'vgg', inputShape: [], numClasses: 0, featureLayer: '', seed: 0 }, weights: [], runId: '', epoch: 0 } } },
      status.NOT_FOUND,
      /^model\.inline\.spec\.architecture: unknown architecture "vgg"/,
    ],
    [
      'an inline model without weights',
      { source: { $case: 'inline' as const, value: { spec: { architecture: 'tiny', inputShape: [6, 6, 1], numClasses: 3, featureLayer: '', seed: 0 }, weights: [], runId: '', epoch: 0 } } },
      status.INVALID_ARGUMENT,
      /^model\.inline\.weights\[conv1\/kernel\]: missing/,
    ],
  ])('rejects %s with a status naming the field', async (_case, source, code, message) => {
    const resolver = new ModelResolver(checkpointStore());
    const before = tf.memory().numTensors;
    await expect(resolver.resolve(source)).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fetches a reference once, also for concurrent requests, and serves it from the cache after', async () => {
    const store = checkpointStore();
    const resolver = new ModelResolver(store);
    const ref = { source: { $case: 'ref' as const, value: { runId: 'b', epoch: 1 } } };
    const [first, second] = await Promise.all([resolver.resolve(ref), resolver.resolve(ref)]);
    const third = await resolver.resolve(ref);
    expect(store.calls).toHaveLength(1);
    expect(second.classifier).toBe(first.classifier);
    expect(third.classifier).toBe(first.classifier);
    expect([first.runId, first.epoch]).toEqual(['b', 1]);
    [first, second, third].forEach((r) => r.release());
    resolver.clear();
  });

  it('evicts the least recently used model beyond its bound and disposes it once no request holds it', async () => {
    const store = checkpointStore();
    const resolver = new ModelResolver({ ...store, maxCachedModels: 2 });
    const before = tf.memory().numTensors;
    const ref = (runId: string) => ({ source: { $case: 'ref' as const, value: { runId, epoch: 0 } } });

    const held = await resolver.resolve(ref('a'));
    const expected = logitsOf(held.classifier);
    (await resolver.resolve(ref('b'))).release();
    (await resolver.resolve(ref('c'))).release(); // evicts "a", which is still held
    expect(resolver.cachedCount).toBe(2);
    expect(logitsOf(held.classifier)).toEqual(expected);
    const perModel = (tf.memory().numTensors - before) / 3;
    held.release(); // now "a" goes
    expect(tf.memory().numTensors).toBe(before + 2 * perModel);

    (await resolver.resolve(ref('a'))).release(); // fetched again, evicting "b"
    expect(store.calls.map((c) => c.runId)).toEqual(['a', 'b', 'c', 'a']);
    resolver.clear();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('asks again for the latest checkpoint every time, sharing the cached epoch it names', async () => {
    const store = checkpointStore();
    const resolver = new ModelResolver(store);
    const latest = await resolver.resolve({ source: { $case: 'ref', value: { runId: 'a', epoch: -1 } } });
    const again = await resolver.resolve({ source: { $case: 'ref', value: { runId: 'a', epoch: -1 } } });
    const byEpoch = await resolver.resolve({ source: { $case: 'ref', value: { runId: 'a', epoch: 2 } } });
    expect(latest.epoch).toBe(2);
    expect(again.classifier).toBe(latest.classifier);
    expect(byEpoch.classifier).toBe(latest.classifier);
    expect(store.calls).toHaveLength(2);
    [latest, again, byEpoch].forEach((r) => r.release());
    resolver.clear();
  });

  it("passes the training-service's NOT_FOUND through and caches nothing for it", async () => {
    const store = checkpointStore();
    const resolver = new ModelResolver(store);
    const missing = { source: { $case: 'ref' as const, value: { runId: 'nope', epoch: 3 } } };
    await expect(resolver.resolve(missing)).rejects.toMatchObject({ code: status.NOT_FOUND, message: 'no run "nope" epoch 3' });
    await expect(resolver.resolve(missing)).rejects.toMatchObject({ code: status.NOT_FOUND });
    expect(store.calls).toHaveLength(2);
    expect(resolver.cachedCount).toBe(0);
  });

  it('answers FAILED_PRECONDITION for a reference when it has no training-service', async () => {
    await expect(new ModelResolver().resolve({ source: { $case: 'ref', value: { runId: 'a', epoch: 0 } } })).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION,
      message: expect.stringMatching(/send the model inline/),
    });
  });
});
