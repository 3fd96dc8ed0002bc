import { Estimator, Space, type EpochMetrics, type Estimate, type Run, type UncertaintyMeasurement } from '@conjugate/proto';

/** The four uncertainty measurements of an epoch, in the order tables and figures show them. */
export const UNCERTAINTY_SERIES = [
  { key: 'ensemble_pixel', label: 'ensemble, pixel', estimator: Estimator.ESTIMATOR_ENSEMBLE, space: Space.SPACE_PIXEL },
  { key: 'ensemble_feature', label: 'ensemble, feature', estimator: Estimator.ESTIMATOR_ENSEMBLE, space: Space.SPACE_FEATURE },
  { key: 'packet_pixel', label: 'packet, pixel', estimator: Estimator.ESTIMATOR_PACKET, space: Space.SPACE_PIXEL },
  { key: 'packet_feature', label: 'packet, feature', estimator: Estimator.ESTIMATOR_PACKET, space: Space.SPACE_FEATURE },
] as const;
export type UncertaintyKey = (typeof UNCERTAINTY_SERIES)[number]['key'];

/** One epoch as a flat row: every number by column name (null = not measured), and why each missing one is missing. */
export interface EpochRow {
  epoch: number;
  values: Record<string, number | null>;
  missing: Record<string, string>;
}

export const COLUMNS: string[] = [
  'epoch', 'train_loss', 'train_accuracy', 'test_loss', 'test_accuracy',
  'robust_pixel_accuracy', 'robust_feature_accuracy',
  ...UNCERTAINTY_SERIES.flatMap(({ key }) => ['dx', 'dx_se', 'dp', 'dp_se', 'product', 'product_se'].map((q) => `${key}_${q}`)),
  // The packet's debiased shift |m|/σ: where the network shows at the packet's scale (spec §2).
  ...UNCERTAINTY_SERIES.filter(({ estimator }) => estimator === Estimator.ESTIMATOR_PACKET).flatMap(({ key }) => [`${key}_shift`, `${key}_shift_se`]),
  'train_seconds', 'evaluation_seconds', 'images_per_second',
];

/** The measurement of one estimator in one space, if the epoch has it. */
export function findUncertainty(metrics: EpochMetrics, estimator: Estimator, space: Space): UncertaintyMeasurement | undefined {
  return metrics.uncertainty.find((u) => u.estimator === estimator && u.space === space);
}

/** Mean Δx, mean Δp and mean product of a measurement, whichever estimator produced it. */
export function uncertaintySummary(measurement: UncertaintyMeasurement | undefined): { dx?: Estimate; dp?: Estimate; product?: Estimate; shift?: Estimate } {
  const result = measurement?.result?.result;
  if (!result) return {};
  const summary = result.value.overall;
  const shift = result.$case === 'packet' ? result.value.overall?.shift : undefined;
  return { dx: summary?.meanDx, dp: summary?.meanDp, product: summary?.meanProduct, shift };
}

export function epochRow(metrics: EpochMetrics): EpochRow {
  const values: Record<string, number | null> = Object.fromEntries(COLUMNS.map((c) => [c, null]));
  const missing: Record<string, string> = {};
  const trained = metrics.epoch > 0;
  values.epoch = metrics.epoch;
  values.train_loss = trained ? metrics.trainLoss : null;
  values.train_accuracy = trained ? metrics.trainAccuracy : null;
  values.test_loss = metrics.testLoss;
  values.test_accuracy = metrics.testAccuracy;
  for (const [column, measurement] of [['robust_pixel_accuracy', metrics.robustPixel], ['robust_feature_accuracy', metrics.robustFeature]] as const) {
    if (measurement?.result && !measurement.missingReason) values[column] = measurement.result.robustAccuracy;
    else missing[column] = measurement?.missingReason || 'not measured';
  }
  for (const { key, estimator, space } of UNCERTAINTY_SERIES) {
    const measurement = findUncertainty(metrics, estimator, space);
    const summary = uncertaintySummary(measurement);
    const reason = measurement?.missingReason || (measurement ? '' : 'not measured');
    if (reason) { missing[key] = reason; continue; }
    const estimates = [['dx', summary.dx], ['dp', summary.dp], ['product', summary.product], ...(estimator === Estimator.ESTIMATOR_PACKET ? [['shift', summary.shift]] as const : [])] as const;
    for (const [name, estimate] of estimates) {
      if (estimate && !estimate.missingReason) {
        values[`${key}_${name}`] = estimate.value;
        values[`${key}_${name}_se`] = estimate.standardError;
      } else {
        missing[`${key}_${name}`] = estimate?.missingReason || 'no summary in the result';
      }
    }
  }
  values.train_seconds = metrics.timings?.trainSeconds ?? null;
  values.evaluation_seconds = metrics.timings?.evaluationSeconds ?? null;
  values.images_per_second = trained ? (metrics.timings?.imagesPerSecond ?? null) : null;
  return { epoch: metrics.epoch, values, missing };
}

export function epochRows(run: Run): EpochRow[] {
  return [...run.epochs].sort((a, b) => a.epoch - b.epoch).map(epochRow);
}
