import {
  DType,
  Estimator,
  Space,
  type EnsembleResult,
  type EnsembleShard,
  type EnsembleSummary as EnsembleSummaryMessage,
  type EstimateResult,
  type NamedTensor,
  type PacketResult,
  type PacketStatistics as PacketStatisticsMessage,
  type PacketSummary as PacketSummaryMessage,
} from '@conjugate/proto';
import { float64FromTensorMessage, float64ToTensorMessage, valuesToTensorMessage } from '@conjugate/tensor';
import type { EnsembleReport } from './ensemble';
import type { EnsembleSummary } from './ensemble-summary';
import type { EstimateOutcome } from './estimate';
import { InvalidEstimateError } from './estimate-options';
import { mergePacketStatistics } from './merge';
import type { PacketEstimate } from './packet';
import { dimensionCount, type PacketStatistics } from './packet-statistics';
import { summarisePacket, type PacketReport, type PacketSummary } from './packet-summary';

// The library's results as contract messages, and back for statistics (what shards send to be merged).

function map(name: string, values: Float64Array, shape: number[]): NamedTensor {
  return { name, tensor: valuesToTensorMessage(Float32Array.from(values), shape, DType.DTYPE_FLOAT32, name) };
}

export function packetStatisticsToProto(stats: PacketStatistics): PacketStatisticsMessage {
  const K = stats.pointIds.length;
  const B = stats.batchIndices.length;
  const D = dimensionCount(stats);
  return {
    sigma: stats.sigma,
    pointIds: stats.pointIds,
    labels: stats.labels,
    logRef: float64ToTensorMessage(stats.logRef, [K, B]),
    sumW: float64ToTensorMessage(stats.sumW, [K, B]),
    sumW2: float64ToTensorMessage(stats.sumW2, [K, B]),
    sumWd: float64ToTensorMessage(stats.sumWd, [K, B, D]),
    sumWd2: float64ToTensorMessage(stats.sumWd2, [K, B, D]),
    sumWsu2: float64ToTensorMessage(stats.sumWsu2, [K, B, D]),
    samplesPerPoint: stats.samplesPerPoint,
    pointShape: stats.pointShape,
    batchIndices: stats.batchIndices,
    totalBatches: stats.totalBatches,
    seed: stats.seed,
  };
}

/** Decodes and checks shard statistics from outside; InvalidEstimateError names what is inconsistent. */
export function packetStatisticsFromProto(message: PacketStatisticsMessage, name = 'statistics'): PacketStatistics {
  const K = message.pointIds.length;
  const B = message.batchIndices.length;
  const D = message.pointShape.reduce((a, b) => a * b, 1);
  if (message.labels.length !== K) throw new InvalidEstimateError(`${name}: ${K} point_ids but ${message.labels.length} labels`);
  if (!(message.sigma > 0)) throw new InvalidEstimateError(`${name}: sigma must be > 0, got ${message.sigma}`);
  if (message.pointShape.length === 0 || D < 1) throw new InvalidEstimateError(`${name}: point_shape is empty`);
  if (message.batchIndices.some((b) => b < 0 || b >= message.totalBatches)) {
    throw new InvalidEstimateError(`${name}: batch_indices must lie in [0, total_batches = ${message.totalBatches})`);
  }
  const read = (field: keyof PacketStatisticsMessage, shape: number[]): Float64Array => {
    const tensor = message[field];
    if (tensor === undefined || typeof tensor !== 'object' || !('dtype' in tensor)) {
      throw new InvalidEstimateError(`${name}.${String(field)}: missing`);
    }
    try {
      return float64FromTensorMessage(tensor, { name: `${name}.${String(field)}`, expectShape: shape }).values;
    } catch (error) {
      throw new InvalidEstimateError((error as Error).message);
    }
  };
  return {
    sigma: message.sigma,
    pointIds: message.pointIds,
    labels: message.labels,
    pointShape: message.pointShape,
    batchIndices: message.batchIndices,
    totalBatches: message.totalBatches,
    samplesPerPoint: message.samplesPerPoint,
    seed: message.seed,
    logRef: read('logRef', [K, B]),
    sumW: read('sumW', [K, B]),
    sumW2: read('sumW2', [K, B]),
    sumWd: read('sumWd', [K, B, D]),
    sumWd2: read('sumWd2', [K, B, D]),
    sumWsu2: read('sumWsu2', [K, B, D]),
  };
}

function packetSummaryToProto(summary: PacketSummary): PacketSummaryMessage {
  return { ...summary };
}

export function packetReportToProto(report: PacketReport, stats: PacketStatistics): PacketResult {
  return {
    sigma: report.sigma,
    overall: packetSummaryToProto(report.overall),
    perClass: report.perClass.map(({ label, summary }) => ({ label, summary: packetSummaryToProto(summary) })),
    maps: [map('dx', report.maps.dx, stats.pointShape), map('dp', report.maps.dp, stats.pointShape), map('product', report.maps.product, stats.pointShape)],
    statistics: packetStatisticsToProto(stats),
    points: report.points.map((p) => ({ pointId: p.pointId, label: p.label, ...p.values })),
    samplesPerPoint: report.samplesPerPoint,
    warnings: report.warnings,
  };
}

function packetEstimateToProto({ report, statistics }: PacketEstimate): PacketResult {
  return packetReportToProto(report, statistics);
}

function ensembleSummaryToProto(summary: EnsembleSummary): EnsembleSummaryMessage {
  return { ...summary };
}

export function ensembleReportToProto(report: EnsembleReport, pointShape: number[]): EnsembleResult {
  return {
    overall: ensembleSummaryToProto(report.overall),
    perClass: report.perClass.map(({ label, summary }) => ({ label, summary: ensembleSummaryToProto(summary) })),
    maps: [
      map('dx', report.maps.dx, pointShape),
      map('dp', report.maps.dp, pointShape),
      map('product', report.maps.product, pointShape),
      map('active', report.maps.active, pointShape),
      map('mean_p', report.maps.meanP, pointShape),
    ],
  };
}

export function estimatorToProto(name: 'ensemble' | 'packet'): Estimator {
  return name === 'ensemble' ? Estimator.ESTIMATOR_ENSEMBLE : Estimator.ESTIMATOR_PACKET;
}

export function spaceToProto(name: 'pixel' | 'feature'): Space {
  return name === 'pixel' ? Space.SPACE_PIXEL : Space.SPACE_FEATURE;
}

/** A shard's description that ends its stream, after its runs of points (ensemblePointRuns). */
function ensembleShardToProto(outcome: EstimateOutcome, pointShape: number[]): EnsembleShard {
  const shard = outcome.ensembleShard!;
  return {
    firstPoint: shard.firstPoint,
    numPoints: shard.labels.length,
    totalPoints: shard.totalPoints,
    seed: outcome.options.seed,
    bootstrapResamples: outcome.options.bootstrapResamples,
    pointShape,
    pixelSum: shard.pixels.sum,
    pixelSumSquares: shard.pixels.sumSquares,
    pixelCount: shard.pixels.count,
    featureSum: shard.features.sum,
    featureSumSquares: shard.features.sumSquares,
    featureCount: shard.features.count,
  };
}

/** The final result message of an Estimate call. */
export function estimateOutcomeToProto(outcome: EstimateOutcome, pointShape: number[]): EstimateResult {
  const base = {
    estimator: estimatorToProto(outcome.options.estimator),
    space: spaceToProto(outcome.options.space),
    sweep: outcome.sweep.map(packetEstimateToProto),
    warnings: outcome.warnings,
    stdX: outcome.stdPixel,
    stdG: outcome.stdFeature,
  };
  if (outcome.ensemble) return { ...base, result: { $case: 'ensemble', value: ensembleReportToProto(outcome.ensemble, pointShape) } };
  if (outcome.ensembleShard) return { ...base, result: { $case: 'ensemble', value: { perClass: [], maps: [], shard: ensembleShardToProto(outcome, pointShape) } } };
  return { ...base, result: { $case: 'packet', value: packetEstimateToProto(outcome.packet!) } };
}

/** Merges shard statistics messages and summarises them: what MergePacket and the fan-out client return. */
export function mergePacketMessages(shards: PacketStatisticsMessage[]): PacketResult {
  if (shards.length === 0) throw new InvalidEstimateError('shards: no statistics given');
  let merged: PacketStatistics;
  try {
    merged = mergePacketStatistics(shards.map((s, j) => packetStatisticsFromProto(s, `shards[${j}]`)));
  } catch (error) {
    if (error instanceof InvalidEstimateError) throw error;
    throw new InvalidEstimateError((error as Error).message);
  }
  return packetReportToProto(summarisePacket(merged), merged);
}

/**
 * Merges the results of the shards of one packet estimate (fan-out over replicas): the main σ and every
 * σ of the sweep are merged separately; warnings are recomputed from the merged statistics.
 */
export function mergeEstimateResults(results: EstimateResult[]): EstimateResult {
  if (results.length === 0) throw new InvalidEstimateError('results: nothing to merge');
  const packets = results.map((r, j) => {
    if (r.result?.$case !== 'packet' || r.result.value.statistics === undefined) {
      throw new InvalidEstimateError(`results[${j}]: not a packet result with statistics (only packet estimates shard)`);
    }
    return r.result.value;
  });
  const main = mergePacketMessages(packets.map((p) => p.statistics!));
  const sweep = results[0].sweep.map((_, s) =>
    mergePacketMessages(
      results.map((r, j) => {
        const stats = r.sweep[s]?.statistics;
        if (stats === undefined) throw new InvalidEstimateError(`results[${j}].sweep[${s}]: missing statistics`);
        return stats;
      }),
    ),
  );
  return {
    ...results[0],
    result: { $case: 'packet', value: main },
    sweep,
    warnings: [...main.warnings, ...sweep.flatMap((p) => p.warnings)],
  };
}
