import { PAPER_ATTACK } from '@conjugate/presets';
import { AttackMethod, Space, Split, type RobustnessResult } from '@conjugate/proto';
import { CliError, EXIT } from '../cli-error';
import type { Output } from '../output';
import { chooseModel, type ModelChoiceFlags } from '../model-source';
import { connect } from '../rpc';

export interface AttackFlags extends ModelChoiceFlags {
  space: string;
  method: string;
  epsilon?: number;
  stepSize?: number;
  steps?: number;
  limit: number;
  offset: number;
  attack?: string;
}

export const parseSpace = (space: string) => {
  if (space === 'pixel') return Space.SPACE_PIXEL;
  if (space === 'feature') return Space.SPACE_FEATURE;
  throw new CliError(`--space must be pixel or feature, got "${space}"`, EXIT.usage);
};

/** `conjugate attack --run ID | --model-file PATH`: robust accuracy of a model over a slice of the test split. */
export async function attack(flags: AttackFlags, output: Output): Promise<number> {
  const { source, dataset } = await chooseModel(flags);
  const service = await connect('attack', flags.attack);
  const method = flags.method === 'fgsm' ? AttackMethod.ATTACK_METHOD_FGSM : AttackMethod.ATTACK_METHOD_PGD;
  const spec = { ...PAPER_ATTACK, method, space: parseSpace(flags.space), epsilon: flags.epsilon ?? PAPER_ATTACK.epsilon, stepSize: flags.stepSize ?? PAPER_ATTACK.stepSize, steps: flags.steps ?? PAPER_ATTACK.steps };
  try {
    let result: RobustnessResult | undefined;
    const stream = service.stream(() => service.client.evaluateRobustness({
      model: source, attack: spec,
      dataset, split: Split.SPLIT_TEST, offset: flags.offset, limit: flags.limit, indices: [], batchSize: 100, shardIndex: 0, shardCount: 0,
    }));
    for await (const update of stream) {
      if (update.update?.$case === 'result') result = update.update.value;
      else if (update.update?.$case === 'progress' && !output.json) process.stderr.write(`\r  ${update.update.value.done}/${update.update.value.total} ${update.update.value.unit}`);
    }
    if (!output.json) process.stderr.write('\n');
    if (!result) throw new CliError('attack-service ended the stream without a result', EXIT.failed);
    const r = result;
    output.result(r, () => `${flags.method.toUpperCase()} in ${flags.space} space on ${r.total} ${dataset} test images (ε used ${r.epsilonUsed.toPrecision(3)}, step ${r.stepSizeUsed.toPrecision(3)}): ` +
      `clean accuracy ${r.cleanAccuracy.toFixed(3)}, robust accuracy ${r.robustAccuracy.toFixed(3)}`);
    return 0;
  } finally {
    service.close();
  }
}
