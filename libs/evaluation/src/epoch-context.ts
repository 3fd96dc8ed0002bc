import type { Classifier } from '@conjugate/models';
import type {
  EmbeddingSnapshot, Model, ModelSource, Progress, RobustnessMeasurement, RunConfig, StepTiming, UncertaintyMeasurement,
} from '@conjugate/proto';

/** One epoch to measure (issue 7 §1): the network as it is now, and how a remote service can reach it. */
export interface EpochContext {
  runId: string;
  /** 0 = before training. */
  epoch: number;
  /** The run's config, defaults filled in (the model spec fitted to the dataset). */
  config: RunConfig;
  /** The network at this epoch (e.g. for the embedding's feature vectors, computed in process). */
  classifier: Classifier;
  /** The same network for the services: a checkpoint reference (already stored, fetched with GetCheckpoint) or the weights inline. */
  model: ModelSource;
  /** The same checkpoint as a message (spec + weights), for evaluators that send it inline. */
  modelMessage: Model;
  /** Aborted when the run is stopped or the service shuts down: the steps not yet started are skipped. */
  signal?: AbortSignal;
  /** Progress of each step ("robust/pixel", "packet/feature", "embedding", …), published as progress events. */
  onProgress?: (progress: Progress) => void;
}

/** The measurements beyond losses, accuracies and timings (the training loop adds those); each may be missing with its reason. */
export interface EpochMeasurements {
  robustPixel?: RobustnessMeasurement;
  robustFeature?: RobustnessMeasurement;
  uncertainty?: UncertaintyMeasurement[];
  /** A feature-map snapshot: the training service publishes it as an EmbeddingEvent and sets has_embedding. */
  embedding?: EmbeddingSnapshot;
  /** Why the snapshot is missing when one was asked for. */
  embeddingMissingReason?: string;
  /** Wall time of each step measured, in the order they ran (recorded in the epoch's timings). */
  steps?: StepTiming[];
}

/**
 * Per-epoch evaluation, pluggable: called at epoch 0 before training and after every epoch, once the
 * checkpoint is stored. A failing measurement should come back missing with its reason; if evaluate()
 * throws, the run goes on and the robust measurements are recorded as missing with the error.
 */
export interface EpochEvaluator {
  evaluate(context: EpochContext): Promise<EpochMeasurements>;
}
