import * as tf from '@tensorflow/tfjs-core';
import { accuracies, DEFAULT_ATTACK, robustnessOfBatch, spaceToProto, type AttackSpec } from '@conjugate/attacks';
import type { EpochContext, EpochEvaluator, EpochMeasurements } from '@conjugate/evaluation';

/**
 * Robust accuracy in pixel space measured inside the training process on fixed images: the simplest
 * real EpochEvaluator (no attack-service needed), e.g. for a laptop run or a test of the epoch protocol.
 * The images and labels are the caller's and stay alive while the evaluator is used.
 */
export class InProcessRobustness implements EpochEvaluator {
  readonly epochs: number[] = [];

  constructor(
    private readonly images: tf.Tensor4D,
    private readonly labels: tf.Tensor1D,
    private readonly attack: AttackSpec = DEFAULT_ATTACK,
    /** Called first with each context, e.g. to check what a remote evaluator would fetch. */
    private readonly inspect?: (context: EpochContext) => Promise<void>,
  ) {}

  async evaluate(context: EpochContext): Promise<EpochMeasurements> {
    await this.inspect?.(context);
    this.epochs.push(context.epoch);
    const counts = robustnessOfBatch(context.classifier, this.images, this.labels, this.attack);
    const { clean, robust } = accuracies(counts);
    return {
      robustPixel: {
        result: { ...counts, cleanAccuracy: clean, robustAccuracy: robust, epsilonUsed: this.attack.epsilon, stepSizeUsed: this.attack.stepSize, space: spaceToProto('pixel') },
        missingReason: '',
      },
      robustFeature: { missingReason: 'feature space is not measured in process' },
    };
  }
}
