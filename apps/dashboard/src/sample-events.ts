// Realistic run events for tests and the benchmark: an epoch with robust accuracies and all four
// (estimator, space) uncertainty measurements with their maps, and a t-SNE snapshot. The numbers are
// smooth functions of the epoch so charts show a trend; they are inputs, not expected results.
import {
  DType,
  EmbeddingEvent,
  EnsembleResult,
  EpochEvent,
  Estimator,
  PacketResult,
  RunState,
  RunStatusEvent,
  Space,
  UncertaintyMeasurement,
} from '@conjugate/proto';
import { valuesToTensorMessage } from '@conjugate/tensor';

export function sampleStatus(runId: string, name: string, state = RunState.RUN_STATE_RUNNING, atMs = Date.now()): RunStatusEvent {
  return RunStatusEvent.fromPartial({
    runId,
    state,
    atMs,
    config: { name, dataset: 'mnist', epochs: 10, batchSize: 64, model: { architecture: 'cnn3' } },
  });
}

export function sampleEpoch(runId: string, epoch: number, options: { withMaps?: boolean } = {}): EpochEvent {
  const learned = 1 - Math.exp(-0.6 * epoch);
  return EpochEvent.fromPartial({
    runId,
    metrics: {
      epoch,
      trainLoss: 2.3 * (1 - 0.8 * learned),
      trainAccuracy: 0.1 + 0.85 * learned,
      testLoss: 2.3 * (1 - 0.78 * learned),
      testAccuracy: 0.1 + 0.87 * learned,
      robustPixel: { result: { robustAccuracy: 0.05 + 0.3 * learned, total: 100 } },
      robustFeature: epoch === 0 ? { missingReason: 'attack-service unreachable' } : { result: { robustAccuracy: 0.02 + 0.1 * learned, total: 100 } },
      uncertainty: [
        measurement(Estimator.ESTIMATOR_ENSEMBLE, Space.SPACE_PIXEL, epoch, 0.2, 4, options.withMaps ?? true),
        measurement(Estimator.ESTIMATOR_PACKET, Space.SPACE_PIXEL, epoch, 0.03, 30, options.withMaps ?? true),
        measurement(Estimator.ESTIMATOR_ENSEMBLE, Space.SPACE_FEATURE, epoch, 0.5, 2, options.withMaps ?? true),
        measurement(Estimator.ESTIMATOR_PACKET, Space.SPACE_FEATURE, epoch, 0.1, 8, options.withMaps ?? true),
      ],
      timings: { trainSeconds: 30, evaluationSeconds: 12, imagesPerSecond: 2000 },
      hasEmbedding: epoch % 2 === 1,
    },
  });
}

function measurement(estimator: Estimator, space: Space, epoch: number, dx0: number, dp0: number, withMaps: boolean) {
  // Training sharpens the loss landscape: Δp grows and Δx shrinks a little with the epochs.
  const dx = dx0 * (1 - 0.05 * Math.min(epoch, 10));
  const dp = dp0 * (1 + 0.15 * epoch);
  const shape = space === Space.SPACE_PIXEL ? [28, 28, 1] : [576];
  const maps = withMaps
    ? [
        { name: 'dx', tensor: pattern(shape, (u, v) => dx * (0.5 + u * v)) },
        { name: 'dp', tensor: pattern(shape, (u, v) => dp * Math.exp(-((u - 0.5) ** 2 + (v - 0.5) ** 2) * 8)) },
        { name: 'product', tensor: pattern(shape, (u, v) => dx * dp * (0.5 + u * v) * Math.exp(-((u - 0.5) ** 2 + (v - 0.5) ** 2) * 8)) },
      ]
    : [];
  const estimate = (value: number) => ({ value, standardError: value * 0.05, missingReason: '' });
  const summary = { meanDx: estimate(dx), meanDp: estimate(dp), meanProduct: estimate(dx * dp) };
  const result =
    estimator === Estimator.ESTIMATOR_ENSEMBLE
      ? { estimator, space, result: { $case: 'ensemble' as const, value: EnsembleResult.fromPartial({ overall: summary, maps }) } }
      : { estimator, space, result: { $case: 'packet' as const, value: PacketResult.fromPartial({ sigma: 8 / 255, overall: summary, maps }) } };
  return UncertaintyMeasurement.fromPartial({ estimator, space, result });
}

/** A float32 map over the unit square (pixel maps) or over a square laid out from a vector (feature maps). */
function pattern(shape: number[], at: (u: number, v: number) => number) {
  const size = shape.reduce((a, b) => a * b, 1);
  const side = shape.length === 3 ? shape[1] : Math.ceil(Math.sqrt(size));
  const values = Float32Array.from({ length: size }, (_, i) => at((i % side) / side, Math.floor(i / side) / side));
  return valuesToTensorMessage(values, shape, DType.DTYPE_FLOAT32);
}

/** Ten clusters on a circle, attacked points pulled towards the next cluster; a 24×24 region grid. */
export function sampleEmbedding(runId: string, epoch: number, pointsPerClass = 12): EmbeddingEvent {
  const clean: number[] = [];
  const adversarial: number[] = [];
  const labels: number[] = [];
  const advPredictions: number[] = [];
  let seed = 7 + epoch;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 6;
  for (let label = 0; label < 10; label++) {
    const [cx, cy] = [30 * Math.cos((label / 10) * 2 * Math.PI), 30 * Math.sin((label / 10) * 2 * Math.PI)];
    const [nx, ny] = [30 * Math.cos(((label + 1) / 10) * 2 * Math.PI), 30 * Math.sin(((label + 1) / 10) * 2 * Math.PI)];
    for (let k = 0; k < pointsPerClass; k++) {
      const [x, y] = [cx + noise(), cy + noise()];
      clean.push(x, y);
      labels.push(label);
      const flipped = k % 3 === 0;
      adversarial.push(flipped ? (x + nx) / 2 + 0.4 * (nx - x) : x + noise() / 3, flipped ? (y + ny) / 2 + 0.4 * (ny - y) : y + noise() / 3);
      advPredictions.push(flipped ? (label + 1) % 10 : label);
    }
  }
  const count = labels.length;
  const grid = 24;
  const bounds = [-40, 40, -40, 40];
  const regionClasses = Int32Array.from({ length: grid * grid }, (_, i) => {
    const x = bounds[0] + ((i % grid) + 0.5) * (80 / grid);
    const y = bounds[2] + (Math.floor(i / grid) + 0.5) * (80 / grid);
    return (Math.round((Math.atan2(y, x) / (2 * Math.PI)) * 10) + 10) % 10;
  });
  return EmbeddingEvent.fromPartial({
    runId,
    snapshot: {
      epoch,
      coordinates: valuesToTensorMessage(Float32Array.from(clean), [count, 2], DType.DTYPE_FLOAT32),
      labels: valuesToTensorMessage(Int32Array.from(labels), [count], DType.DTYPE_INT32),
      predictions: valuesToTensorMessage(Int32Array.from(labels), [count], DType.DTYPE_INT32),
      confidence: valuesToTensorMessage(new Float32Array(count).fill(0.9), [count], DType.DTYPE_FLOAT32),
      adversarialCoordinates: valuesToTensorMessage(Float32Array.from(adversarial), [count, 2], DType.DTYPE_FLOAT32),
      adversarialPredictions: valuesToTensorMessage(Int32Array.from(advPredictions), [count], DType.DTYPE_INT32),
      regionClasses: valuesToTensorMessage(regionClasses, [grid, grid], DType.DTYPE_INT32),
      regionConfidence: valuesToTensorMessage(
        Float32Array.from({ length: grid * grid }, (_, i) => 0.4 + 0.6 * Math.hypot((i % grid) / grid - 0.5, Math.floor(i / grid) / grid - 0.5)),
        [grid, grid],
        DType.DTYPE_FLOAT32,
      ),
      bounds,
    },
  });
}
