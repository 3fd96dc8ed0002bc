import { float32Tensor } from '@conjugate/embedding';
import { Estimator, RunState, Space, type EpochMetrics, type Run, type UncertaintyMeasurement } from '@conjugate/proto';

const estimate = (value: number, standardError = value / 50) => ({ value, standardError, missingReason: '' });

function uncertainty(estimator: Estimator, space: Space, dx: number, dp: number): UncertaintyMeasurement {
  const maps = space === Space.SPACE_PIXEL
    ? [{ name: 'dx', tensor: float32Tensor(Array.from({ length: 28 * 28 }, (_, i) => dx * (1 + (i % 28) / 28)), [28, 28, 1]) },
      { name: 'dp', tensor: float32Tensor(Array.from({ length: 28 * 28 }, (_, i) => dp * (1 + Math.floor(i / 28) / 28)), [28, 28, 1]) }]
    : [];
  const overall = { meanDx: estimate(dx), meanDp: estimate(dp), meanProduct: estimate(dx * dp) };
  return {
    estimator, space, missingReason: '',
    result: {
      estimator, space, sweep: [], warnings: [], stdX: 0.3, stdG: 1.2,
      result: estimator === Estimator.ESTIMATOR_ENSEMBLE
        ? { $case: 'ensemble', value: { overall: { numPoints: 100, activeDimensions: 600, ess: 50, ...overall }, perClass: [], maps } }
        : { $case: 'packet', value: { sigma: 0.03, overall: { numPoints: 8, lowEssPoints: 0, ...overall, shift: estimate(0.3 + dx) }, perClass: [], maps, points: [], samplesPerPoint: 64, warnings: [] } },
    },
  };
}

const robust = (accuracy: number) => ({ result: { total: 100, cleanCorrect: 95, robustCorrect: Math.round(accuracy * 100), cleanAccuracy: 0.95, robustAccuracy: accuracy, epsilonUsed: 0.03, stepSizeUsed: 0.008, space: Space.SPACE_PIXEL }, missingReason: '' });

/** A made-up three-epoch run (epochs 0–2) for figure and table tests; epoch 2 lacks feature-space robustness. */
export function testRun(): Run {
  const epochs: EpochMetrics[] = [0, 1, 2].map((epoch) => ({
    epoch, trainLoss: 1 / (epoch + 1), trainAccuracy: 0.5 + 0.2 * epoch, testLoss: 1.1 / (epoch + 1), testAccuracy: 0.4 + 0.25 * epoch,
    robustPixel: robust(0.3 + 0.1 * epoch),
    robustFeature: epoch === 2 ? { missingReason: 'attack-service unavailable after 3 tries' } : robust(0.2 + 0.1 * epoch),
    uncertainty: [
      uncertainty(Estimator.ESTIMATOR_ENSEMBLE, Space.SPACE_PIXEL, 0.3 - 0.02 * epoch, 0.05 + 0.03 * epoch),
      uncertainty(Estimator.ESTIMATOR_ENSEMBLE, Space.SPACE_FEATURE, 1.1, 0.02 + 0.01 * epoch),
      uncertainty(Estimator.ESTIMATOR_PACKET, Space.SPACE_PIXEL, 0.03, 0.5 / 0.03 * (1 + 0.01 * epoch)),
      { estimator: Estimator.ESTIMATOR_PACKET, space: Space.SPACE_FEATURE, missingReason: 'uncertainty-service: DEADLINE_EXCEEDED' },
    ],
    timings: { trainSeconds: epoch ? 12 : 0, evaluationSeconds: 5, imagesPerSecond: epoch ? 500 : 0, steps: [] },
    hasEmbedding: false,
  }));
  return {
    id: 'run-test', state: RunState.RUN_STATE_COMPLETED, reason: '', createdAtMs: 0, updatedAtMs: 0, epochsDone: 2, epochs,
    config: { name: 'figure test', dataset: 'mnist', model: { architecture: 'cnn3', inputShape: [28, 28, 1], numClasses: 10, featureLayer: '', seed: 0 },
      epochs: 2, batchSize: 64, optimizer: 0, seed: 0, trainLimit: 0, preset: '' },
  };
}
