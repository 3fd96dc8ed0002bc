import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { createClassifier, resolveModelSpec, type TrainableClassifier } from './create-classifier';
import { ModelSpecError } from './model-spec-error';

beforeAll(async () => {
  await initBackend();
});

type Shape = [number, number, number];
const cases: { architecture: string; inputShape: Shape; featureSize: number; parameters: number }[] = [
  { architecture: 'tiny', inputShape: [28, 28, 1], featureSize: 13 * 13 * 8, parameters: 80 + 13530 },
  { architecture: 'tiny', inputShape: [32, 32, 3], featureSize: 15 * 15 * 8, parameters: 224 + 18010 },
  { architecture: 'linear', inputShape: [28, 28, 1], featureSize: 784, parameters: 7850 },
  { architecture: 'cnn3', inputShape: [28, 28, 1], featureSize: 576, parameters: 93322 },
  { architecture: 'cnn4', inputShape: [32, 32, 3], featureSize: 4096, parameters: 1116970 },
  { architecture: 'resnet8', inputShape: [32, 32, 3], featureSize: 4096, parameters: 77706 },
];

describe.each(cases)('$architecture on $inputShape', ({ architecture, inputShape, featureSize, parameters }) => {
  let classifier: TrainableClassifier;
  beforeAll(() => {
    classifier = createClassifier({ architecture, inputShape, numClasses: 10, seed: 7 });
  });
  afterAll(() => classifier.dispose());

  it('has the documented feature size and parameter count', () => {
    expect(classifier.spec.featureSize).toBe(featureSize);
    expect(classifier.parameterCount()).toBe(parameters);
  });

  it('splits logits into head(features(x)) with the right shapes', () => {
    const [a, b] = tf.tidy(() => {
      const x = tf.randomUniform([3, ...inputShape], 0, 1, 'float32', 1) as tf.Tensor4D;
      const z = classifier.features(x);
      expect(z.shape).toEqual([3, featureSize]);
      const viaSplit = classifier.head(z);
      expect(viaSplit.shape).toEqual([3, 10]);
      return [viaSplit.arraySync(), classifier.logits(x).arraySync()];
    });
    expect(b).toEqual(a);
  });

  it('has a finite, non-zero input gradient and keeps tensor count constant', () => {
    const before = tf.memory().numTensors;
    const norm = tf.tidy(() => {
      const x = tf.randomUniform([2, ...inputShape], 0, 1, 'float32', 2) as tf.Tensor4D;
      const labels = tf.oneHot(tf.tensor1d([1, 2], 'int32'), 10);
      const grad = tf.grad((images) => tf.losses.softmaxCrossEntropy(labels, classifier.logits(images as tf.Tensor4D)))(x);
      expect(grad.shape).toEqual(x.shape);
      return tf.norm(grad).dataSync()[0];
    });
    expect(Number.isFinite(norm)).toBe(true);
    expect(norm).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});

it('same seed gives the same weights, another seed different ones', () => {
  const a = createClassifier({ architecture: 'cnn3', seed: 3 });
  const b = createClassifier({ architecture: 'cnn3', seed: 3 });
  const c = createClassifier({ architecture: 'cnn3', seed: 4 });
  for (const name of a.weightNames.filter((n) => n.endsWith('kernel'))) {
    expect(b.weight(name)!.dataSync()).toEqual(a.weight(name)!.dataSync());
    expect(c.weight(name)!.dataSync()).not.toEqual(a.weight(name)!.dataSync());
  }
  [a, b, c].forEach((m) => m.dispose());
});

it('a named feature layer moves the split and keeps logits the same', () => {
  const byDefault = createClassifier({ architecture: 'cnn3', seed: 5 });
  const atFc1 = createClassifier({ architecture: 'cnn3', seed: 5, featureLayer: 'fc1' });
  expect(byDefault.modelSpec.featureLayer).toBe('block3');
  expect(atFc1.spec.featureSize).toBe(64);
  const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
  expect(atFc1.logits(x).arraySync()).toEqual(byDefault.logits(x).arraySync());
  tf.dispose(x);
  [byDefault, atFc1].forEach((m) => m.dispose());
});

it('linear features are the flattened pixels', () => {
  const model = createClassifier({ architecture: 'linear', inputShape: [2, 2, 1], numClasses: 3, seed: 1 });
  const x = tf.tensor4d([0.1, 0.2, 0.3, 0.4], [1, 2, 2, 1]);
  expect(Array.from(model.features(x).dataSync())).toEqual(Array.from(x.dataSync()));
  tf.dispose(x);
  model.dispose();
});

describe('bad specs name the field', () => {
  const error = (spec: Parameters<typeof resolveModelSpec>[0]) => {
    try {
      createClassifier(spec).dispose();
    } catch (e) {
      return e as ModelSpecError;
    }
    throw new Error('expected a ModelSpecError');
  };

  it.each([
    [{ architecture: 'vgg16' }, 'not-found', 'architecture'],
    [{ architecture: 'tiny' }, 'invalid', 'input_shape'],
    [{ architecture: 'cnn3', inputShape: [32, 32, 3] }, 'invalid', 'input_shape'],
    [{ architecture: 'tiny', inputShape: [28, 28] }, 'invalid', 'input_shape'],
    [{ architecture: 'tiny', inputShape: [28, 28, 1], numClasses: 1 }, 'invalid', 'num_classes'],
    [{ architecture: 'cnn3', featureLayer: 'conv9' }, 'not-found', 'feature_layer'],
    [{ architecture: 'cnn3', featureLayer: 'logits' }, 'not-found', 'feature_layer'],
  ])('%j → %s %s', (spec, kind, field) => {
    const e = error(spec);
    expect(e).toBeInstanceOf(ModelSpecError);
    expect([e.kind, e.field]).toEqual([kind, field]);
  });

  it('leaks no variables when the feature layer is unknown', () => {
    const before = tf.memory().numTensors;
    error({ architecture: 'cnn3', featureLayer: 'conv9' });
    expect(tf.memory().numTensors).toBe(before);
  });
});
