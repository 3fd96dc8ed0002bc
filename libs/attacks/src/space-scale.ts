import type * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '@conjugate/models';
import type { ValueSums } from '@conjugate/proto';
import { AttackArgumentError, type AttackSpec } from './attack-spec';
import { RunningMoments } from './running-moments';

/**
 * The standard deviations that convert a pixel budget into feature units (uncertainty.md §3):
 * std_x over every pixel, std_g over every feature of the attacked images, and whether the features
 * are non-negative (ReLU outputs), which the feature-space attack then preserves.
 */
export interface SpaceScale {
  pixelStd: number;
  featureStd: number;
  nonNegativeFeatures: boolean;
}

/** The scale of pixels and features over which these moments were taken. */
export function spaceScaleOf(pixels: RunningMoments, features: RunningMoments): SpaceScale {
  return { pixelStd: pixels.std, featureStd: features.std, nonNegativeFeatures: features.min >= 0 };
}

/** The scale of the values whose sums these are (e.g. the sums of a pixel-space evaluation's shards, added up). */
export function spaceScaleOfSums(pixels: ValueSums, features: ValueSums): SpaceScale {
  return spaceScaleOf(RunningMoments.ofSums([pixels]), RunningMoments.ofSums([features]));
}

/** Accumulates a SpaceScale over batches of images (one pass of g over each). */
export class SpaceScaleMeter {
  readonly pixels = new RunningMoments();
  readonly features = new RunningMoments();

  constructor(private readonly classifier: Classifier) {}

  add(images: tf.Tensor4D): this {
    this.addKeepingFeatures(images).dispose();
    return this;
  }

  /** `add`, handing back the features g(images) it computed (the caller disposes them). */
  addKeepingFeatures(images: tf.Tensor4D): tf.Tensor2D {
    this.pixels.add(images);
    const features = this.classifier.features(images);
    try {
      this.features.add(features);
    } catch (error) {
      features.dispose();
      throw error;
    }
    return features;
  }

  get scale(): SpaceScale {
    return spaceScaleOf(this.pixels, this.features);
  }
}

/** SpaceScale over one batch of images. */
export function measureSpaceScale(classifier: Classifier, images: tf.Tensor4D): SpaceScale {
  return new SpaceScaleMeter(classifier).add(images).scale;
}

/**
 * The absolute budget and step size in the attack's space: pixel units unchanged in pixel space;
 * in feature space ε_feature = (ε / std_x) · std_g, and the step size alike.
 */
export function absoluteBudget(spec: AttackSpec, scale: SpaceScale | undefined): { epsilon: number; stepSize: number } {
  if (spec.space === 'pixel') return { epsilon: spec.epsilon, stepSize: spec.stepSize };
  if (!scale || !(scale.pixelStd > 0) || !Number.isFinite(scale.featureStd)) {
    throw new AttackArgumentError('images', `a feature-space budget needs a pixel std > 0 over the attacked images, got ${scale?.pixelStd}`);
  }
  const factor = scale.featureStd / scale.pixelStd;
  return { epsilon: spec.epsilon * factor, stepSize: spec.stepSize * factor };
}
