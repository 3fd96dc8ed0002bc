import { DType, Space, type EnsemblePoints, type EnsembleShard, type EstimateResult, type Tensor } from '@conjugate/proto';
import { tensorMessageValues, valuesToTensorMessage } from '@conjugate/tensor';
import { summariseEnsemble } from './ensemble';
import { mergeEnsembleShards, type EnsembleShardInputs } from './ensemble-shard';
import type { EstimateOutcome } from './estimate';
import { InvalidEstimateError, resolveEstimateOptions } from './estimate-options';
import { estimateOutcomeToProto } from './proto-result';

// A shard's inputs as contract messages (runs of points, then the shard's description), and the caller's
// merge of them into the result one unsharded pass gives.

// Bytes of points + scores per EnsemblePoints message (well below the 64 MiB message limit), and points.
const RUN_BYTES = 8 * 1024 * 1024;
const RUN_POINTS = 16_384;

/** The shard's per-point inputs as runs of points, each a message of at most ~8 MiB. */
export function ensemblePointRuns(shard: EnsembleShardInputs): EnsemblePoints[] {
  const { inputs, labels, firstPoint } = shard;
  const D = inputs.dimensions;
  const perRun = Math.max(1, Math.min(RUN_POINTS, Math.floor(RUN_BYTES / (8 * D))));
  const runs: EnsemblePoints[] = [];
  for (let start = 0; start < labels.length; start += perRun) {
    const n = Math.min(perRun, labels.length - start);
    runs.push({
      firstPoint: firstPoint + start,
      labels: labels.slice(start, start + n),
      logLoss: valuesToTensorMessage(inputs.logLoss.subarray(start, start + n), [n], DType.DTYPE_FLOAT32, 'log_loss'),
      points: valuesToTensorMessage(inputs.points.subarray(start * D, (start + n) * D), [n, D], DType.DTYPE_FLOAT32, 'points'),
      scores: valuesToTensorMessage(inputs.scores.subarray(start * D, (start + n) * D), [n, D], DType.DTYPE_FLOAT32, 'scores'),
    });
  }
  return runs;
}

/** One shard's stream as the caller received it: its runs of points and its result. */
export interface EnsembleShardStream {
  runs: EnsemblePoints[];
  result: EstimateResult;
}

function float32(tensor: Tensor | undefined, name: string, shape: number[]): Float32Array {
  if (!tensor) throw new InvalidEstimateError(`${name}: missing`);
  try {
    return tensorMessageValues(tensor, { name, expectDtype: DType.DTYPE_FLOAT32, expectShape: shape }).values as Float32Array;
  } catch (error) {
    throw new InvalidEstimateError((error as Error).message);
  }
}

function shardInputs(stream: EnsembleShardStream, j: number): { shard: EnsembleShard; inputs: EnsembleShardInputs } {
  const { result } = stream;
  const shard = result.result?.$case === 'ensemble' ? result.result.value.shard : undefined;
  if (!shard) throw new InvalidEstimateError(`shards[${j}]: not the result of an ensemble shard`);
  const D = shard.pointShape.reduce((a, b) => a * b, 1);
  const n = shard.numPoints;
  const labels: number[] = [];
  const logLoss = new Float32Array(n);
  const points = new Float32Array(n * D);
  const scores = new Float32Array(n * D);
  let next = shard.firstPoint;
  for (const [r, run] of [...stream.runs].sort((a, b) => a.firstPoint - b.firstPoint).entries()) {
    const name = `shards[${j}].runs[${r}]`;
    const k = run.labels.length;
    if (run.firstPoint !== next || next + k > shard.firstPoint + n) {
      throw new InvalidEstimateError(`${name}: points ${run.firstPoint}…${run.firstPoint + k - 1} do not continue the shard's points at ${next} (it holds ${shard.firstPoint}…${shard.firstPoint + n - 1})`);
    }
    const at = next - shard.firstPoint;
    logLoss.set(float32(run.logLoss, `${name}.log_loss`, [k]), at);
    points.set(float32(run.points, `${name}.points`, [k, D]), at * D);
    scores.set(float32(run.scores, `${name}.scores`, [k, D]), at * D);
    for (const label of run.labels) labels.push(label);
    next += k;
  }
  if (next !== shard.firstPoint + n) throw new InvalidEstimateError(`shards[${j}]: streamed ${next - shard.firstPoint} of its ${n} points`);
  return {
    shard,
    inputs: {
      firstPoint: shard.firstPoint,
      totalPoints: shard.totalPoints,
      labels,
      inputs: { points, scores, logLoss, dimensions: D },
      pixels: { sum: shard.pixelSum, sumSquares: shard.pixelSumSquares, count: shard.pixelCount },
      features: { sum: shard.featureSum, sumSquares: shard.featureSumSquares, count: shard.featureCount },
    },
  };
}

/**
 * The result of a sharded ensemble estimate from its shards' streams: their inputs in point order, and the
 * estimator's statistics over them — the result one unsharded pass gives (std_x and std_g within float64
 * rounding, everything else identical).
 */
export async function mergeEnsembleShardStreams(streams: EnsembleShardStream[]): Promise<EstimateResult> {
  if (streams.length === 0) throw new InvalidEstimateError('shards: no ensemble shard given');
  const decoded = streams.map(shardInputs);
  const first = decoded[0].shard;
  for (const [j, { shard }] of decoded.entries()) {
    if (shard.seed !== first.seed || shard.bootstrapResamples !== first.bootstrapResamples || shard.pointShape.join() !== first.pointShape.join()) {
      throw new InvalidEstimateError(`shards[${j}]: seed, bootstrap resamples or point shape differ from shards[0]'s`);
    }
  }
  const merged = mergeEnsembleShards(decoded.map((d) => d.inputs));
  const space = streams[0].result.space === Space.SPACE_FEATURE ? 'feature' : 'pixel';
  const options = resolveEstimateOptions({ estimator: 'ensemble', space, seed: first.seed, bootstrapResamples: first.bootstrapResamples });
  const report = await summariseEnsemble(merged.inputs, merged.labels, { bootstrapResamples: first.bootstrapResamples, seed: first.seed, standardize: space === 'feature' });
  const outcome: EstimateOutcome = { options, stdPixel: merged.stdPixel, stdFeature: merged.stdFeature, ensemble: report, sweep: [], warnings: report.warnings };
  return estimateOutcomeToProto(outcome, first.pointShape);
}
