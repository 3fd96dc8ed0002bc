import { initBackend } from '@conjugate/backend';
import { DatasetInfo, Optimizer, RunConfig, Space } from '@conjugate/proto';
import { GrpcError, status } from '@conjugate/service-kit';
import { PRESETS } from '@conjugate/presets';
import { fitToDataset, validateRunConfig } from './run-config';

beforeAll(async () => {
  await initBackend();
});

const good = (): RunConfig =>
  RunConfig.fromPartial({ dataset: 'mnist', model: { architecture: 'tiny' }, epochs: 2, batchSize: 32, seed: 5 });

const mnist = DatasetInfo.fromPartial({ name: 'mnist', imageShape: [28, 28, 1], numClasses: 10, trainSize: 60000, testSize: 10000 });

function refusal(run: () => unknown): { code: status; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GrpcError);
    return { code: (error as GrpcError).code, message: (error as GrpcError).message };
  }
  throw new Error('expected a refusal');
}

it('fills the defaults: Adam, learning rate 1e-3, the run seed as model seed', () => {
  const config = validateRunConfig(good());
  expect([config.optimizer, config.learningRate, config.model?.seed]).toEqual([Optimizer.OPTIMIZER_ADAM, 1e-3, 5]);
});

it.each<[string, Partial<RunConfig>, status, string]>([
  ['no dataset', { dataset: '' }, status.INVALID_ARGUMENT, 'config.dataset'],
  ['zero epochs', { epochs: 0 }, status.INVALID_ARGUMENT, 'config.epochs'],
  ['negative epochs', { epochs: -3 }, status.INVALID_ARGUMENT, 'config.epochs'],
  ['zero batch size', { batchSize: 0 }, status.INVALID_ARGUMENT, 'config.batch_size'],
  ['huge batch size', { batchSize: 100_000 }, status.INVALID_ARGUMENT, 'config.batch_size'],
  ['zero learning rate', { learningRate: 0 }, status.INVALID_ARGUMENT, 'config.learning_rate'],
  ['negative learning rate', { learningRate: -0.1 }, status.INVALID_ARGUMENT, 'config.learning_rate'],
  ['unknown optimizer', { optimizer: 7 as Optimizer }, status.INVALID_ARGUMENT, 'config.optimizer'],
  ['negative train limit', { trainLimit: -1 }, status.INVALID_ARGUMENT, 'config.train_limit'],
  ['no model', { model: undefined }, status.INVALID_ARGUMENT, 'config.model.architecture'],
  ['unknown architecture', { model: { architecture: 'vgg', inputShape: [], numClasses: 0, featureLayer: '', seed: 0 } }, status.NOT_FOUND, 'config.model.architecture'],
  ['bad shape', { model: { architecture: 'tiny', inputShape: [28, 28], numClasses: 0, featureLayer: '', seed: 0 } }, status.INVALID_ARGUMENT, 'config.model.input_shape'],
  ['ratio above 1', { adversarial: { ratio: 2, attack: undefined } }, status.INVALID_ARGUMENT, 'config.adversarial.ratio'],
  ['feature-space training attack', { adversarial: { ratio: 0.5, attack: { space: Space.SPACE_FEATURE } as never } }, status.INVALID_ARGUMENT, 'config.adversarial.attack.space'],
  ['negative attack epsilon', { adversarial: { ratio: 0.5, attack: { epsilon: -1 } as never } }, status.INVALID_ARGUMENT, 'config.adversarial.attack.epsilon'],
  ['negative robust points', { evaluation: { robustPoints: -1 } as never }, status.INVALID_ARGUMENT, 'config.evaluation.robust_points'],
  ['embedding points above exact t-SNE\'s bound', { evaluation: { embeddingPoints: 2001 } as never }, status.INVALID_ARGUMENT, 'config.evaluation.embedding_points'],
  ['attack steps 2^31 − 1', { evaluation: { attack: { steps: 2 ** 31 - 1 } } as never }, status.INVALID_ARGUMENT, 'config.evaluation.attack.steps'],
  ['packet samples 2^31 − 1', { evaluation: { packet: { numSamples: 2 ** 31 - 1 } } as never }, status.INVALID_ARGUMENT, 'config.evaluation.packet.num_samples'],
  ['packet samples −1', { evaluation: { packet: { numSamples: -1 } } as never }, status.INVALID_ARGUMENT, 'config.evaluation.packet.num_samples'],
  ['sigma NaN', { evaluation: { packet: { sigma: NaN } } as never }, status.INVALID_ARGUMENT, 'config.evaluation.packet.sigma'],
  ['sigma −1', { evaluation: { packet: { sigma: -1 } } as never }, status.INVALID_ARGUMENT, 'config.evaluation.packet.sigma'],
  ['estimator 99', { evaluation: { packet: { estimator: 99 } } as never }, status.INVALID_ARGUMENT, 'config.evaluation.packet.estimator'],
  ['space 99', { evaluation: { packet: { space: 99 } } as never }, status.INVALID_ARGUMENT, 'config.evaluation.packet.space'],
  ['attack method 99', { evaluation: { attack: { method: 99 } } as never }, status.INVALID_ARGUMENT, 'config.evaluation.attack.method'],
  ['learning rate 1e30', { learningRate: 1e30 }, status.INVALID_ARGUMENT, 'config.learning_rate'],
  ['an unknown preset', { preset: 'paper-imagenet' }, status.INVALID_ARGUMENT, 'config.preset'],
  ['a 16 KB dataset name', { dataset: 'd'.repeat(16_384) }, status.INVALID_ARGUMENT, 'config.dataset'],
])('%s → the field is named', (_what, change, code, field) => {
  const refused = refusal(() => validateRunConfig(RunConfig.fromPartial({ ...good(), ...change })));
  expect(refused.code).toBe(code);
  expect(refused.message.startsWith(`${field}:`)).toBe(true);
});

it('takes the input shape and class count from the dataset', () => {
  const fitted = fitToDataset(validateRunConfig(good()), mnist);
  expect([fitted.model?.inputShape, fitted.model?.numClasses, fitted.model?.featureLayer]).toEqual([[28, 28, 1], 10, '']);
});

it.each<[string, Partial<RunConfig>, status, string]>([
  ['cnn4 on MNIST', { model: { architecture: 'cnn4', inputShape: [], numClasses: 0, featureLayer: '', seed: 0 } }, status.INVALID_ARGUMENT, 'config.model.input_shape'],
  ['a shape unlike the images', { model: { architecture: 'tiny', inputShape: [32, 32, 3], numClasses: 0, featureLayer: '', seed: 0 } }, status.INVALID_ARGUMENT, 'config.model.input_shape'],
  ['other class count', { model: { architecture: 'tiny', inputShape: [], numClasses: 3, featureLayer: '', seed: 0 } }, status.INVALID_ARGUMENT, 'config.model.num_classes'],
  ['unknown feature layer', { model: { architecture: 'cnn3', inputShape: [], numClasses: 0, featureLayer: 'conv9', seed: 0 } }, status.NOT_FOUND, 'config.model.feature_layer'],
  ['more train images than there are', { trainLimit: 70_000 }, status.INVALID_ARGUMENT, 'config.train_limit'],
])('%s does not fit the dataset', (_what, change, code, field) => {
  const refused = refusal(() => fitToDataset(validateRunConfig(RunConfig.fromPartial({ ...good(), ...change })), mnist));
  expect(refused.code).toBe(code);
  expect(refused.message.startsWith(`${field}:`)).toBe(true);
});

it('accepts every preset as it is', () => {
  for (const preset of PRESETS) expect(() => validateRunConfig(RunConfig.fromPartial(preset.config))).not.toThrow();
});
