import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { DType, Model } from '@conjugate/proto';
import { createClassifier } from './create-classifier';
import { fromModelMessage, toModelMessage } from './model-message';
import { ModelSpecError } from './model-spec-error';

beforeAll(async () => {
  await initBackend();
});

it.each(['tiny', 'cnn3', 'resnet8'])('%s survives the wire bit-exactly', (architecture) => {
  const original = createClassifier({ architecture, inputShape: architecture === 'tiny' ? [28, 28, 1] : [], seed: 11 });
  // Perturb so the test does not pass merely because both sides re-ran the seeded initialisation.
  for (const v of original.trainableVariables()) v.assign(tf.tidy(() => tf.add(v, tf.randomNormal(v.shape, 0, 1, 'float32', 5))));
  const wire = Model.encode(toModelMessage(original, { runId: 'r1', epoch: 3 })).finish();
  const decoded = Model.decode(wire);
  expect([decoded.runId, decoded.epoch, decoded.spec?.seed]).toEqual(['r1', 3, 11]);
  const copy = fromModelMessage(decoded);
  expect(copy.weightNames).toEqual(original.weightNames);
  for (const name of original.weightNames) {
    const a = new Uint32Array((original.weight(name)!.dataSync() as Float32Array).buffer);
    const b = new Uint32Array((copy.weight(name)!.dataSync() as Float32Array).buffer);
    expect(b).toEqual(a);
  }
  original.dispose();
  copy.dispose();
});

describe('a bad Model message is refused naming the weight', () => {
  const good = () => {
    const m = createClassifier({ architecture: 'linear', inputShape: [2, 2, 1], numClasses: 2, seed: 1 });
    const message = toModelMessage(m);
    m.dispose();
    return message;
  };
  const fieldOf = (message: Model) => {
    const before = tf.memory().numTensors;
    try {
      fromModelMessage(message).dispose();
    } catch (e) {
      expect(e).toBeInstanceOf(ModelSpecError);
      expect(tf.memory().numTensors).toBe(before);
      return (e as ModelSpecError).field;
    }
    throw new Error('expected a ModelSpecError');
  };

  it('missing weight', () => {
    const m = good();
    m.weights = m.weights.filter((w) => w.name !== 'logits/bias');
    expect(fieldOf(m)).toBe('weights[logits/bias]');
  });
  it('unknown weight', () => {
    const m = good();
    m.weights.push({ name: 'conv9/kernel', tensor: m.weights[0].tensor });
    expect(fieldOf(m)).toBe('weights[conv9/kernel]');
  });
  it('wrong shape', () => {
    const m = good();
    m.weights[0].tensor!.shape = [2, 4];
    expect(fieldOf(m)).toBe('weights[logits/kernel].shape');
  });
  it('wrong dtype', () => {
    const m = good();
    m.weights[1].tensor!.dtype = DType.DTYPE_INT32;
    expect(fieldOf(m)).toBe('weights[logits/bias].dtype');
  });
  it('short data', () => {
    const m = good();
    m.weights[1].tensor!.data = m.weights[1].tensor!.data.subarray(0, 4);
    expect(fieldOf(m)).toBe('weights[logits/bias].data');
  });
  it('no spec', () => {
    const m = good();
    m.spec = undefined;
    expect(fieldOf(m)).toBe('spec');
  });
});
