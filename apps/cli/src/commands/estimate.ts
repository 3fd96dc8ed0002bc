import { Estimator, EstimateResult, Split, type Estimate } from '@conjugate/proto';
import { CliError, EXIT } from '../cli-error';
import type { Output } from '../output';
import { chooseModel, type ModelChoiceFlags } from '../model-source';
import { connect } from '../rpc';
import { parseSpace } from './attack';

export interface EstimateFlags extends ModelChoiceFlags {
  estimator: string;
  space: string;
  points?: number;
  samples?: number;
  sigma?: number;
  seed: number;
  uncertainty?: string;
}

const show = (name: string, e: Estimate | undefined) => (e ? (e.missingReason ? `${name} missing (${e.missingReason})` : `${name} ${e.value.toPrecision(4)} ± ${e.standardError.toPrecision(2)}`) : `${name} —`);

/** `conjugate estimate --run ID | --model-file PATH`: Δx and Δp of a model by one estimator in one space. */
export async function estimate(flags: EstimateFlags, output: Output): Promise<number> {
  const estimator = flags.estimator === 'packet' ? Estimator.ESTIMATOR_PACKET : flags.estimator === 'ensemble' ? Estimator.ESTIMATOR_ENSEMBLE : undefined;
  if (estimator === undefined) throw new CliError(`--estimator must be ensemble or packet, got "${flags.estimator}"`, EXIT.usage);
  const space = parseSpace(flags.space);
  const { source, dataset } = await chooseModel(flags);
  const service = await connect('uncertainty', flags.uncertainty);
  try {
    let result: EstimateResult | undefined;
    const stream = service.stream(() => service.client.estimate({
      model: source,
      points: { points: { $case: 'dataset', value: { dataset, split: Split.SPLIT_TEST, indices: [] } } },
      spec: { estimator, space, numPoints: flags.points, numSamples: flags.samples, sigma: flags.sigma, seed: flags.seed, sigmaSweep: [], shardIndex: 0, shardCount: 0, batchSize: 0 },
    }));
    for await (const update of stream) {
      if (update.update?.$case === 'result') result = update.update.value;
      else if (update.update?.$case === 'progress' && !output.json) process.stderr.write(`\r  ${update.update.value.stage} ${update.update.value.done}/${update.update.value.total} ${update.update.value.unit}`);
    }
    if (!output.json) process.stderr.write('\n');
    if (!result?.result) throw new CliError('uncertainty-service ended the stream without a result', EXIT.failed);
    const overall = result.result.value.overall;
    const r = result;
    output.result(EstimateResult.toJSON({ ...r, result: r.result?.$case === 'packet' ? { $case: 'packet', value: { ...r.result.value, statistics: undefined } } : r.result }),
      () => [`${flags.estimator} estimator, ${flags.space} space, ${overall?.numPoints ?? '?'} points of ${dataset}:`,
        `  ${show('mean Δx', overall?.meanDx)}`, `  ${show('mean Δp', overall?.meanDp)}`, `  ${show('mean Δx·Δp', overall?.meanProduct)}  (bound: ½)`,
        ...r.warnings.map((w) => `  warning: ${w}`)].join('\n'));
    return 0;
  } finally {
    service.close();
  }
}
