import type { ModelSource } from '@conjugate/proto';
import { CliError, EXIT } from './cli-error';
import { readModelFile } from './model-file';
import { connect } from './rpc';

/** The flags that say which model a single attack or estimate uses. */
export interface ModelChoiceFlags {
  run?: string;
  epoch: number;
  dataset?: string;
  modelFile?: string;
  featureLayer?: string;
  inputMin?: number;
  inputMax?: number;
  training?: string;
}

/**
 * A checkpoint by reference (--run, dataset from the run unless --dataset) or the caller's own TF.js
 * Layers model sent inline (--model-file, --dataset required: a model file names no dataset).
 */
export async function chooseModel(flags: ModelChoiceFlags): Promise<{ source: ModelSource; dataset: string }> {
  if (flags.run && flags.modelFile) throw new CliError('give --run or --model-file, not both', EXIT.usage);
  if (flags.modelFile) {
    if (!flags.dataset) throw new CliError('--model-file needs --dataset (e.g. --dataset mnist)', EXIT.usage);
    const model = readModelFile(flags.modelFile, { featureLayer: flags.featureLayer, inputMin: flags.inputMin, inputMax: flags.inputMax });
    return { source: { source: { $case: 'inline', value: model } }, dataset: flags.dataset };
  }
  if (!flags.run) throw new CliError('give --run ID (a checkpoint) or --model-file PATH/model.json (your own TF.js Layers model)', EXIT.usage);
  if (flags.featureLayer || flags.inputMin !== undefined || flags.inputMax !== undefined) {
    throw new CliError('--feature-layer, --input-min and --input-max go with --model-file (a run\'s checkpoint has its own)', EXIT.usage);
  }
  return { source: { source: { $case: 'ref', value: { runId: flags.run, epoch: flags.epoch } } }, dataset: await datasetOf(flags.run, flags.dataset, flags.training) };
}

/** The run's dataset, unless --dataset says otherwise. */
export async function datasetOf(runId: string, flag: string | undefined, trainingFlag: string | undefined): Promise<string> {
  if (flag) return flag;
  const training = await connect('training', trainingFlag);
  try {
    return (await training.call(training.client.getRun, { runId })).config?.dataset ?? 'mnist';
  } finally {
    training.close();
  }
}
