// Bus messages (protobuf) → the JSON views browsers get. Tensors become plain number arrays, rounded to
// 5 significant digits: plenty for a chart, a third of the JSON.
import type { BusMessage } from '@conjugate/bus';
import {
  Estimator,
  RunState,
  Space,
  type EmbeddingSnapshot,
  type Estimate,
  type EpochMetrics,
  type NamedTensor,
  type RobustnessMeasurement,
  type Tensor,
  type UncertaintyMeasurement,
} from '@conjugate/proto';
import { tensorMessageValues } from '@conjugate/tensor';
import type {
  DashboardEvent,
  EmbeddingView,
  EpochView,
  EstimatorName,
  MapView,
  Measured,
  RunStateName,
  SpaceName,
  UncertaintyView,
} from './view/events';

const STATE_NAMES: Record<RunState, RunStateName> = {
  [RunState.RUN_STATE_UNSPECIFIED]: 'unspecified',
  [RunState.RUN_STATE_PENDING]: 'pending',
  [RunState.RUN_STATE_RUNNING]: 'running',
  [RunState.RUN_STATE_COMPLETED]: 'completed',
  [RunState.RUN_STATE_FAILED]: 'failed',
  [RunState.RUN_STATE_STOPPED]: 'stopped',
  [RunState.UNRECOGNIZED]: 'unspecified',
};

const ESTIMATOR_NAMES: Partial<Record<Estimator, EstimatorName>> = {
  [Estimator.ESTIMATOR_ENSEMBLE]: 'ensemble',
  [Estimator.ESTIMATOR_PACKET]: 'packet',
};

const SPACE_NAMES: Partial<Record<Space, SpaceName>> = {
  [Space.SPACE_PIXEL]: 'pixel',
  [Space.SPACE_FEATURE]: 'feature',
};

/** Why a message has no view: it is skipped (and logged) rather than breaking the stream. */
export class ViewError extends Error {}

export function toDashboardEvent({ seq, event }: BusMessage): DashboardEvent {
  const body = event.event;
  switch (body?.$case) {
    case 'status': {
      const { runId, state, reason, atMs, config } = body.value;
      return {
        kind: 'status',
        seq,
        runId,
        state: STATE_NAMES[state] ?? 'unspecified',
        reason,
        atMs,
        name: config?.name ?? '',
        dataset: config?.dataset ?? '',
        architecture: config?.model?.architecture ?? '',
        epochsPlanned: config?.epochs ?? 0,
      };
    }
    case 'epoch': {
      if (!body.value.metrics) throw new ViewError(`epoch event of run ${body.value.runId} has no metrics`);
      return { kind: 'epoch', seq, runId: body.value.runId, metrics: epochView(body.value.metrics) };
    }
    case 'progress': {
      const { runId, epoch, progress } = body.value;
      return {
        kind: 'progress',
        seq: 0,
        runId,
        epoch,
        stage: progress?.stage ?? '',
        done: progress?.done ?? 0,
        total: progress?.total ?? 0,
        unit: progress?.unit ?? '',
        ratePerSecond: progress?.ratePerSecond ?? 0,
      };
    }
    case 'embedding': {
      const { runId, snapshot } = body.value;
      if (!snapshot) throw new ViewError(`embedding event of run ${runId} has no snapshot`);
      return { kind: 'embedding', seq, runId, embedding: embeddingView(snapshot) };
    }
    default:
      throw new ViewError(`message ${seq} carries no event`);
  }
}

export function epochView(metrics: EpochMetrics): EpochView {
  return {
    epoch: metrics.epoch,
    trainLoss: metrics.trainLoss,
    trainAccuracy: metrics.trainAccuracy,
    testLoss: metrics.testLoss,
    testAccuracy: metrics.testAccuracy,
    robustPixel: robustness(metrics.robustPixel),
    robustFeature: robustness(metrics.robustFeature),
    uncertainty: metrics.uncertainty.map(uncertaintyView),
    trainSeconds: metrics.timings?.trainSeconds ?? 0,
    evaluationSeconds: metrics.timings?.evaluationSeconds ?? 0,
    imagesPerSecond: metrics.timings?.imagesPerSecond ?? 0,
    hasEmbedding: metrics.hasEmbedding,
  };
}

function robustness(measurement: RobustnessMeasurement | undefined): Measured {
  if (!measurement) return { value: null, missingReason: 'not measured' };
  if (measurement.missingReason || !measurement.result) {
    return { value: null, missingReason: measurement.missingReason || 'no result' };
  }
  return { value: measurement.result.robustAccuracy, missingReason: '' };
}

function uncertaintyView(measurement: UncertaintyMeasurement): UncertaintyView {
  const view: UncertaintyView = {
    estimator: ESTIMATOR_NAMES[measurement.estimator] ?? 'unspecified',
    space: SPACE_NAMES[measurement.space] ?? 'unspecified',
    dx: missing('no result'),
    dp: missing('no result'),
    product: missing('no result'),
    missingReason: measurement.missingReason,
    warnings: measurement.result?.warnings ?? [],
    maps: [],
  };
  const result = measurement.result?.result;
  if (measurement.missingReason || !result) return view;
  const overall = result.value.overall;
  if (!overall) return view;
  view.dx = measured(overall.meanDx);
  view.dp = measured(overall.meanDp);
  view.product = measured(overall.meanProduct);
  view.maps = result.value.maps.flatMap(mapView);
  return view;
}

const missing = (reason: string): Measured => ({ value: null, missingReason: reason });

function measured(estimate: Estimate | undefined): Measured {
  if (!estimate) return missing('not reported');
  if (estimate.missingReason) return missing(estimate.missingReason);
  return { value: estimate.value, missingReason: '' };
}

function mapView(named: NamedTensor): MapView[] {
  if (!named.tensor) return [];
  const { shape, values } = tensorMessageValues(named.tensor, { name: `map ${named.name}` });
  return [{ name: named.name, shape, values: rounded(values) }];
}

function embeddingView(snapshot: EmbeddingSnapshot): EmbeddingView {
  const coordinates = numbers(snapshot.coordinates, 'coordinates');
  const adversarial = numbers(snapshot.adversarialCoordinates, 'adversarial_coordinates');
  const regionClasses = numbers(snapshot.regionClasses, 'region_classes');
  return {
    epoch: snapshot.epoch,
    clean: {
      x: coordinates.filter((_, i) => i % 2 === 0),
      y: coordinates.filter((_, i) => i % 2 === 1),
      labels: numbers(snapshot.labels, 'labels'),
      predictions: numbers(snapshot.predictions, 'predictions'),
      confidence: numbers(snapshot.confidence, 'confidence'),
    },
    adversarial: {
      x: adversarial.filter((_, i) => i % 2 === 0),
      y: adversarial.filter((_, i) => i % 2 === 1),
      predictions: numbers(snapshot.adversarialPredictions, 'adversarial_predictions'),
    },
    regions:
      regionClasses.length === 0
        ? null
        : {
            size: Math.round(Math.sqrt(regionClasses.length)),
            classes: regionClasses,
            confidence: numbers(snapshot.regionConfidence, 'region_confidence'),
          },
    bounds: snapshot.bounds.map(round),
  };
}

function numbers(tensor: Tensor | undefined, name: string): number[] {
  return tensor ? rounded(tensorMessageValues(tensor, { name }).values) : [];
}

function rounded(values: ArrayLike<number>): number[] {
  return Array.from(values, round);
}

function round(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(5)) : value;
}
