import { AttackMethod, Estimator, Norm, Optimizer, RunConfig, Space, type AttackSpec, type EvaluationConfig } from '@conjugate/proto';

/** The paper's attack for robust accuracy: PGD, L∞, ε = 8/255, α = 2/255, 4 steps (pixel units). */
export const PAPER_ATTACK: AttackSpec = {
  method: AttackMethod.ATTACK_METHOD_PGD, norm: Norm.NORM_LINF, space: Space.SPACE_PIXEL,
  // float fields are float32 on the wire: round here so a preset equals its decoded self.
  epsilon: Math.fround(8 / 255), stepSize: Math.fround(2 / 255), steps: 4, randomStart: false, seed: 0,
};

/** The attack drawn in Figure 1's feature map: PGD ε = 0.1, α = 0.025, 4 steps. */
export const FIGURE1_ATTACK: AttackSpec = { ...PAPER_ATTACK, epsilon: Math.fround(0.1), stepSize: Math.fround(0.025) };

export interface Preset {
  name: string;
  description: string;
  config: RunConfig;
}

/** The packet estimator with the spec's defaults (σ 8/255, N 256, K 100, 8 jackknife batches) unless told otherwise. */
const packet = (fields: { numPoints?: number; numSamples?: number } = {}) => ({
  estimator: Estimator.ESTIMATOR_PACKET, space: Space.SPACE_PIXEL, seed: 0, sigmaSweep: [], shardIndex: 0, shardCount: 0, batchSize: 0, ...fields,
});

/** An architecture with input shape and class count left to the dataset. */
const model = (architecture: string) => ({ architecture, inputShape: [], numClasses: 0, featureLayer: '', seed: 0 });

function evaluation(fields: Partial<EvaluationConfig>): EvaluationConfig {
  return { robustPoints: 0, attack: PAPER_ATTACK, ensemblePoints: 0, packet: packet(), embeddingEpochs: [], embeddingPoints: 0, testLimit: 0, ...fields };
}

function preset(name: string, description: string, config: Partial<RunConfig>): Preset {
  return { name, description, config: RunConfig.fromPartial({ name, preset: name, optimizer: Optimizer.OPTIMIZER_ADAM, learningRate: Math.fround(1e-3), batchSize: 64, seed: 0, ...config }) };
}

/**
 * The paper's measurement every epoch: the whole test split, both estimators, Figure 1 maps at epochs 1, 21,
 * 41 (panels C, D) and of the final network at 50 (panels A, B).
 */
const paperEvaluation = evaluation({ robustPoints: 10_000, ensemblePoints: -1, packet: packet({ numPoints: 100 }), embeddingEpochs: [1, 21, 41, 50], embeddingPoints: 500 });

export const PRESETS: readonly Preset[] = [
  preset('quick', 'cnn3 on a 6 000-image MNIST subset for 3 epochs with a small evaluation: the first run, a few minutes', {
    dataset: 'mnist', model: model('cnn3'), epochs: 3, trainLimit: 6000,
    evaluation: evaluation({ robustPoints: 200, ensemblePoints: 500, packet: packet({ numPoints: 8, numSamples: 64 }), embeddingEpochs: [1, 3], embeddingPoints: 200, testLimit: 2000 }),
  }),
  preset('paper-mnist-cnn3', 'the paper: cnn3 on MNIST, 50 epochs, PGD ε=8/255 α=2/255 4 steps, both estimators on the whole test split', {
    dataset: 'mnist', model: model('cnn3'), epochs: 50, evaluation: paperEvaluation,
  }),
  preset('paper-cifar10-cnn4', 'the paper: cnn4 on CIFAR-10, 50 epochs, PGD ε=8/255 α=2/255 4 steps, both estimators', {
    dataset: 'cifar10', model: model('cnn4'), epochs: 50, evaluation: paperEvaluation,
  }),
  preset('paper-cifar10-resnet8', 'the paper: ResNet with 8 conv layers on CIFAR-10, 50 epochs, PGD ε=8/255 α=2/255 4 steps, both estimators', {
    dataset: 'cifar10', model: model('resnet8'), epochs: 50, evaluation: paperEvaluation,
  }),
  preset('fashion-cnn3', 'cnn3 on Fashion-MNIST, 25 epochs: where the accuracy–robustness trade-off shows plainly', {
    dataset: 'fashion-mnist', model: model('cnn3'), epochs: 25,
    evaluation: { ...paperEvaluation, embeddingEpochs: [1, 13, 25] },
  }),
  preset('tiny', 'tests only: the tiny model on 512 MNIST images for 2 epochs, every measurement on a handful of points', {
    dataset: 'mnist', model: model('tiny'), epochs: 2, batchSize: 32, trainLimit: 512,
    evaluation: evaluation({ robustPoints: 32, ensemblePoints: 64, packet: packet({ numPoints: 4, numSamples: 32 }), embeddingEpochs: [2], embeddingPoints: 40, testLimit: 256 }),
  }),
];

export class UnknownPresetError extends Error {
  constructor(readonly preset: string) {
    super(`unknown preset "${preset}" (known: ${PRESETS.map((p) => p.name).join(', ')})`);
  }
}

/** A copy of the named preset's config (safe to change). */
export function presetConfig(name: string): RunConfig {
  const found = PRESETS.find((p) => p.name === name);
  if (!found) throw new UnknownPresetError(name);
  return RunConfig.fromPartial(found.config);
}
