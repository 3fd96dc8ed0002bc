import * as tf from '@tensorflow/tfjs-core';
import { spaceScaleOfSums } from '@conjugate/attacks';
import { embeddingSnapshot } from '@conjugate/embedding';
import { FIGURE1_ATTACK } from '@conjugate/presets';
import {
  Estimator, Space, Split, type AttackSpec, type EmbeddingSnapshot, type EstimateResult, type EstimatorSpec,
  type Progress, type RobustnessMeasurement, type RobustnessResult, type SpaceScale, type StepTiming, type UncertaintyMeasurement,
} from '@conjugate/proto';
import { fromTensorMessage, tensorMessageValues } from '@conjugate/tensor';
import { featuresAndProbabilities } from './embedding-inputs';
import type { EpochContext, EpochEvaluator, EpochMeasurements } from './epoch-context';
import type { RemoteServices } from './remote-services';
import { measureWithRetry, type RetryOptions } from './retry';

/** What the services measure always carries the uncertainty list and the step timings (maybe empty). */
export type RemoteMeasurements = EpochMeasurements & { uncertainty: UncertaintyMeasurement[]; steps: StepTiming[] };

export interface EvaluatorOptions {
  retry?: RetryOptions;
  /** Attack drawn in the embedding map (default the paper's Figure 1 PGD: ε 0.1, α 0.025, 4 steps). */
  embeddingAttack?: AttackSpec;
  /** Images per batch for EvaluateRobustness (default 100). */
  robustBatchSize?: number;
}

const SPACES = [[Space.SPACE_PIXEL, 'pixel'], [Space.SPACE_FEATURE, 'feature']] as const;

/** The estimate as the epoch record keeps it: no sufficient statistics (they stay with the call). */
function withoutStatistics(result: EstimateResult): EstimateResult {
  const strip = result.result?.$case === 'packet' ? { $case: 'packet' as const, value: { ...result.result.value, statistics: undefined } } : result.result;
  return { ...result, result: strip, sweep: result.sweep.map((r) => ({ ...r, statistics: undefined })) };
}

/** The result as the epoch record keeps it: no sums (they stay with the evaluation). */
function withoutSums(result: RobustnessResult): RobustnessResult {
  return { ...result, pixelSums: undefined, featureSums: undefined };
}

/** The slice's feature scale from a result's sums, if it has them and they give one. */
function scaleOfResult({ pixelSums, featureSums }: RobustnessResult): SpaceScale | undefined {
  if (!pixelSums || !featureSums) return undefined;
  const scale = spaceScaleOfSums(pixelSums, featureSums);
  return scale.pixelStd > 0 && scale.featureStd > 0 && Number.isFinite(scale.featureStd) ? scale : undefined;
}

/**
 * Measures one epoch through the services: robust accuracy in pixel and feature space (attack-service),
 * Δx/Δp by both estimators in both spaces (uncertainty-service), and a t-SNE snapshot at the configured
 * epochs. Each measurement is retried with backoff; one that still fails is recorded as missing with its
 * reason, and the others go on. Sizes of 0 in the run's EvaluationConfig switch a measurement off.
 */
export class RemoteEpochEvaluator implements EpochEvaluator {
  constructor(private readonly services: RemoteServices, private readonly options: EvaluatorOptions = {}) {}

  async evaluate(context: EpochContext): Promise<RemoteMeasurements> {
    const evaluation = context.config.evaluation;
    const measurements: RemoteMeasurements = { uncertainty: [], steps: [] };
    if (!evaluation) return measurements;
    // Our step name, keeping which replica a sharded estimate's progress came from.
    const progress = (stage: string) => (p: Progress) => context.onProgress?.({ ...p, stage: stage + (/ \(replica \d+\/\d+\)$/.exec(p.stage)?.[0] ?? '') });
    const retry = this.options.retry;
    // Each step measured with its retries, and its wall time (failed ones too).
    const timed = async <T>(stage: string, measure: () => Promise<T>) => {
      const started = performance.now();
      const measured = await measureWithRetry(stage, measure, retry);
      return { measured, timing: { step: stage, seconds: (performance.now() - started) / 1000 } };
    };
    // A step run alone: its time recorded under its name as it ends.
    const measureStep = async <T>(stage: string, measure: () => Promise<T>) => {
      const { measured, timing } = await timed(stage, measure);
      measurements.steps.push(timing);
      return measured;
    };
    const stopped = () => context.signal?.aborted === true;

    if (evaluation.robustPoints > 0) {
      // The pixel step's sums of the slice's images and features give the feature step its scale, so the
      // feature step's shards skip a pass over the whole slice (the same slice: the same scale).
      let featureScale: SpaceScale | undefined;
      for (const [space, name] of SPACES) {
        if (stopped()) return measurements;
        const stage = `robust/${name}`;
        const measured = await measureStep(stage, () => this.services.evaluateRobustness({
          model: context.model, attack: { ...(evaluation.attack ?? { method: 0, norm: 0, randomStart: false, seed: 0 }), space },
          dataset: context.config.dataset, split: Split.SPLIT_TEST, offset: 0, limit: evaluation.robustPoints, indices: [],
          batchSize: this.options.robustBatchSize ?? 100, shardIndex: 0, shardCount: 0,
          featureScale: space === Space.SPACE_FEATURE ? featureScale : undefined,
        }, progress(stage)));
        if (measured.ok) featureScale = scaleOfResult(measured.value);
        const measurement: RobustnessMeasurement = measured.ok ? { result: withoutSums(measured.value), missingReason: '' } : { missingReason: measured.reason };
        if (space === Space.SPACE_PIXEL) measurements.robustPixel = measurement; else measurements.robustFeature = measurement;
      }
    }

    // The estimate steps run side by side on the shared replicas: each ensemble whole on one (its statistics
    // need all its points), each packet estimate in shards that go to whichever replica is free, so no
    // replica idles while another finishes a long step. Results and timings are kept in this order.
    const steps: Array<{ stage: string; estimator: Estimator; space: Space; spec: EstimatorSpec }> = [];
    if (evaluation.ensemblePoints !== 0) {
      const ensemble: EstimatorSpec = {
        estimator: Estimator.ESTIMATOR_ENSEMBLE, space: Space.SPACE_PIXEL, seed: context.config.seed, sigmaSweep: [], shardIndex: 0, shardCount: 0, batchSize: 0,
        // -1 in the run config = the whole split, which the estimator spells 0.
        numPoints: Math.max(0, evaluation.ensemblePoints),
      };
      for (const [space, spaceName] of SPACES) steps.push({ stage: `ensemble/${spaceName}`, estimator: Estimator.ESTIMATOR_ENSEMBLE, space, spec: ensemble });
    }
    if ((evaluation.packet?.numPoints ?? 0) > 0) {
      for (const [space, spaceName] of SPACES) steps.push({ stage: `packet/${spaceName}`, estimator: Estimator.ESTIMATOR_PACKET, space, spec: evaluation.packet! });
    }
    if (stopped()) return measurements;
    const estimated = await Promise.all(steps.map(({ stage, estimator, space, spec }) => timed(stage, () => this.services.estimate({
      model: context.model,
      points: { points: { $case: 'dataset', value: { dataset: context.config.dataset, split: Split.SPLIT_TEST, indices: [] } } },
      spec: { ...spec, estimator, space },
    }, progress(stage), { whole: estimator === Estimator.ESTIMATOR_ENSEMBLE }))));
    estimated.forEach(({ measured, timing }, i) => {
      const { estimator, space } = steps[i];
      measurements.steps.push(timing);
      measurements.uncertainty.push(measured.ok
        ? { estimator, space, result: withoutStatistics(measured.value), missingReason: '' }
        : { estimator, space, missingReason: measured.reason });
    });

    if (evaluation.embeddingEpochs.includes(context.epoch) && evaluation.embeddingPoints > 0 && !stopped()) {
      const measured = await measureStep('embedding', () => this.snapshot(context, evaluation.embeddingPoints, progress('embedding')));
      if (measured.ok) measurements.embedding = measured.value; else measurements.embeddingMissingReason = measured.reason;
    }
    return measurements;
  }

  /** Test points → attack-service PGD → feature vectors of both here → joint t-SNE and region shading. */
  private async snapshot(context: EpochContext, points: number, onProgress: (p: Progress) => void): Promise<EmbeddingSnapshot> {
    const step = (done: number) => onProgress({ stage: 'embedding', done, total: 4, unit: 'steps', ratePerSecond: 0 });
    step(0);
    const { images, labels } = await this.services.testImages(context.config.dataset, points, context.config.seed);
    step(1);
    const attack = { ...(this.options.embeddingAttack ?? FIGURE1_ATTACK), space: Space.SPACE_PIXEL };
    const attacked = await this.services.attackBatch({ model: context.model, attack, images, labels });
    if (!attacked.adversarial) throw new Error('attack-service: AttackBatch returned no adversarial images');
    step(2);
    const clean = fromTensorMessage(images) as tf.Tensor4D;
    const adversarial = fromTensorMessage(attacked.adversarial) as tf.Tensor4D;
    try {
      const cleanRows = await featuresAndProbabilities(context.classifier, clean);
      const adversarialRows = await featuresAndProbabilities(context.classifier, adversarial);
      step(3);
      const snapshot = await embeddingSnapshot({
        epoch: context.epoch, features: cleanRows.features, probabilities: cleanRows.probabilities,
        labels: Array.from(tensorMessageValues(labels).values as ArrayLike<number>),
        adversarialFeatures: adversarialRows.features, adversarialProbabilities: adversarialRows.probabilities,
        attack, tsne: { seed: context.config.seed, signal: context.signal },
      });
      step(4);
      return snapshot;
    } finally {
      clean.dispose();
      adversarial.dispose();
    }
  }
}
