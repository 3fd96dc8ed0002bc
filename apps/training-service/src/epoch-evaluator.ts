import type { Classifier } from '@conjugate/models';
import type {
  EmbeddingSnapshot, Model, ModelSource, Progress, RobustnessMeasurement, RunConfig, UncertaintyMeasurement,
} from '@conjugate/proto';

/** One epoch to measure (issue 7 §1): the network as it is now, and how a remote service can reach it. */
export interface EpochContext {
  runId: string;
  /** 0 = before training. */
  epoch: number;
  /** The run's config, defaults filled in (the model spec fitted to the dataset). */
  config: RunConfig;
  classifier: Classifier;
  /** A reference to this epoch's checkpoint, already stored: services fetch it with GetCheckpoint. */
  model: ModelSource;
  /** The same checkpoint as a message (spec + weights), for evaluators that send it inline. */
  modelMessage: Model;
  /** Aborted when the run is stopped or the service shuts down. */
  signal: AbortSignal;
  /** Progress of each step ("robust/pixel", "packet/feature", …), published as progress events. */
  onProgress?: (progress: Progress) => void;
}

/** The measurements beyond losses, accuracies and timings; each may be missing with its reason. */
export interface EpochMeasurements {
  robustPixel?: RobustnessMeasurement;
  robustFeature?: RobustnessMeasurement;
  uncertainty?: UncertaintyMeasurement[];
  /** A feature-map snapshot: the service publishes it as an EmbeddingEvent and sets has_embedding. */
  embedding?: EmbeddingSnapshot;
  embeddingMissingReason?: string;
}

/**
 * Per-epoch evaluation, pluggable: called at epoch 0 before training and after every epoch, once the
 * checkpoint is stored. A failing measurement should come back missing with its reason; if evaluate()
 * throws, the run goes on and the robust measurements are recorded as missing with the error.
 */
export interface EpochEvaluator {
  evaluate(context: EpochContext): Promise<EpochMeasurements>;
}
