import { resolveAttackSpec, type AttackSpec } from '@conjugate/attacks';
import { MNIST } from '@conjugate/datasets';
import { FIGURE1_ATTACK } from '@conjugate/presets';
import { Optimizer, type AttackSpec as ProtoAttackSpec, type RunConfig } from '@conjugate/proto';
import { DEFAULT_ESTIMATE_OPTIONS } from '@conjugate/uncertainty';

/** A PGD attack as torch_paper_epoch.py runs it (L∞, pixel units). */
export interface TorchAttack {
  epsilon: number;
  step_size: number;
  steps: number;
  random_start: boolean;
}

/**
 * What one epoch of a run does, in numbers, for tools/bench/torch_paper_epoch.py (snake_case: it is read
 * by Python). A step that is off is null. Counts are resolved here, so both sides do the same work.
 */
export interface TorchWorkload {
  dataset_dir: string;
  threads: number;
  seed: number;
  train: { images: number; batch_size: number; optimizer: 'adam' | 'sgd'; learning_rate: number };
  test_accuracy: { images: number; batch_size: number };
  robust: (TorchAttack & { images: number; batch_size: number }) | null;
  ensemble: { points: number; batch_size: number; bootstrap_resamples: number } | null;
  packet: { points: number; samples: number; batch_size: number; sigma: number; jackknife_batches: number } | null;
  embedding: { points: number; attack: TorchAttack; perplexity: number; iterations: number; grid: number; neighbours: number } | null;
}

/** Batch sizes the stack sets outside the run config. */
export const STACK_BATCH_SIZES = {
  /** Test accuracy: the training-service's evaluationBatchSize default (apps/training-service/src/training-service.ts). */
  testAccuracy: 250,
  /** EvaluateRobustness: RemoteEpochEvaluator's robustBatchSize default (libs/evaluation/src/epoch-evaluator.ts). */
  robust: 100,
};

/** The feature map's settings: tsne2d's and embeddingSnapshot's defaults (libs/embedding), druidjs' exact t-SNE. */
export const EMBEDDING_SETTINGS = { perplexity: 30, iterations: 500, grid: 64, neighbours: 10 };

/** A run the PyTorch side cannot reproduce (another network or dataset, adversarial training, …). */
export class UnsupportedWorkloadError extends Error {}

function pgdOf(proto: ProtoAttackSpec | undefined, what: string): TorchAttack {
  const spec: AttackSpec = resolveAttackSpec(proto);
  if (spec.method !== 'pgd' || spec.norm !== 'linf') throw new UnsupportedWorkloadError(`${what} is ${spec.method} ${spec.norm}; torch_paper_epoch.py runs PGD L∞ only`);
  return { epsilon: spec.epsilon, step_size: spec.stepSize, steps: spec.steps, random_start: spec.randomStart };
}

/** Epoch `epoch` of a run of `config` (a preset's, as `conjugate run` starts it) as a TorchWorkload. */
export function torchWorkload(config: RunConfig, epoch: number, datasetDir: string, threads = 2): TorchWorkload {
  const architecture = config.model?.architecture ?? '';
  if (config.dataset !== 'mnist' || architecture !== 'cnn3') {
    throw new UnsupportedWorkloadError(`the run trains ${architecture || '?'} on ${config.dataset || '?'}; torch_paper_epoch.py reproduces cnn3 on MNIST only`);
  }
  if ((config.adversarial?.ratio ?? 0) > 0) throw new UnsupportedWorkloadError('the run trains adversarially; torch_paper_epoch.py trains on clean images only');
  const evaluation = config.evaluation;
  const testSize = MNIST.testSize;
  const upTo = (count: number, size: number) => (count <= 0 ? size : Math.min(count, size));
  const estimator = DEFAULT_ESTIMATE_OPTIONS;
  const packet = evaluation?.packet;
  if ((packet?.sigmaSweep.length ?? 0) > 0) throw new UnsupportedWorkloadError('the run sweeps the packet width; torch_paper_epoch.py measures one σ');
  const embeddingPoints = evaluation?.embeddingEpochs.includes(epoch) ? (evaluation.embeddingPoints) : 0;
  return {
    dataset_dir: datasetDir,
    threads,
    seed: config.seed,
    train: {
      images: upTo(config.trainLimit, MNIST.trainSize),
      batch_size: config.batchSize,
      optimizer: config.optimizer === Optimizer.OPTIMIZER_SGD ? 'sgd' : 'adam',
      learning_rate: config.learningRate ?? 1e-3,
    },
    test_accuracy: { images: upTo(evaluation?.testLimit ?? 0, testSize), batch_size: STACK_BATCH_SIZES.testAccuracy },
    robust: evaluation && evaluation.robustPoints > 0
      ? { ...pgdOf(evaluation.attack, 'the robust-accuracy attack'), images: upTo(evaluation.robustPoints, testSize), batch_size: STACK_BATCH_SIZES.robust }
      : null,
    // -1 = the whole split (RemoteEpochEvaluator asks for 0 points, the estimator's "all").
    ensemble: evaluation && evaluation.ensemblePoints !== 0
      ? { points: upTo(evaluation.ensemblePoints, testSize), batch_size: estimator.batchSize, bootstrap_resamples: estimator.bootstrapResamples }
      : null,
    packet: packet && (packet.numPoints ?? 0) > 0
      ? {
        points: upTo(packet.numPoints ?? 0, testSize),
        samples: packet.numSamples ?? estimator.samplesPerPoint,
        batch_size: packet.batchSize || estimator.batchSize,
        sigma: packet.sigma ?? estimator.sigma,
        jackknife_batches: packet.jackknifeBatches ?? estimator.jackknifeBatches,
      }
      : null,
    embedding: embeddingPoints > 0 ? { points: embeddingPoints, attack: pgdOf(FIGURE1_ATTACK, 'the feature map\'s attack'), ...EMBEDDING_SETTINGS } : null,
  };
}
