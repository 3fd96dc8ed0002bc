import { presetConfig, UnknownPresetError } from '@conjugate/presets';
import type { RunConfig } from '@conjugate/proto';
import { CliError, EXIT } from './cli-error';
import { readModelFile } from './model-file';

/** Flags of `run` that change a preset. */
export interface RunOverrides {
  epochs?: number;
  trainLimit?: number;
  seed?: number;
  batchSize?: number;
  learningRate?: number;
  name?: string;
  dataset?: string;
  model?: string;
  robustPoints?: number;
  ensemblePoints?: number;
  packetPoints?: number;
  packetSamples?: number;
  embeddingEpochs?: number[];
  testLimit?: number;
  embeddingPoints?: number;
  /** A TF.js Layers model.json whose topology the run trains (from seeded weights). */
  modelFile?: string;
  featureLayer?: string;
  inputMin?: number;
  inputMax?: number;
}

/** The preset's config with the flags applied. */
export function runConfigFrom(preset: string, overrides: RunOverrides): RunConfig {
  let config: RunConfig;
  try {
    config = presetConfig(preset);
  } catch (error) {
    if (error instanceof UnknownPresetError) throw new CliError(`${error.message}. List them with \`npx conjugate presets\`.`, EXIT.notFound);
    throw error;
  }
  const set = <T>(value: T | undefined, apply: (v: T) => void) => { if (value !== undefined) apply(value); };
  set(overrides.epochs, (v) => (config.epochs = v));
  set(overrides.trainLimit, (v) => (config.trainLimit = v));
  set(overrides.seed, (v) => (config.seed = v));
  set(overrides.batchSize, (v) => (config.batchSize = v));
  set(overrides.learningRate, (v) => (config.learningRate = v));
  set(overrides.name, (v) => (config.name = v));
  set(overrides.dataset, (v) => (config.dataset = v));
  set(overrides.model, (v) => (config.model = { ...config.model!, architecture: v, inputShape: [], numClasses: 0 }));
  if (overrides.modelFile) {
    if (overrides.model) throw new CliError('give --model or --model-file, not both', EXIT.usage);
    // The topology only: a run starts from seeded weights (fine-tuning saved weights is not supported yet).
    const { spec } = readModelFile(overrides.modelFile, { featureLayer: overrides.featureLayer, inputMin: overrides.inputMin, inputMax: overrides.inputMax });
    config.model = { ...spec!, seed: config.model?.seed ?? 0 };
  } else if (overrides.featureLayer || overrides.inputMin !== undefined || overrides.inputMax !== undefined) {
    throw new CliError('--feature-layer, --input-min and --input-max go with --model-file', EXIT.usage);
  }
  const evaluation = config.evaluation!;
  set(overrides.robustPoints, (v) => (evaluation.robustPoints = v));
  set(overrides.ensemblePoints, (v) => (evaluation.ensemblePoints = v));
  set(overrides.packetPoints, (v) => (evaluation.packet = { ...evaluation.packet!, numPoints: v }));
  set(overrides.packetSamples, (v) => (evaluation.packet = { ...evaluation.packet!, numSamples: v }));
  set(overrides.embeddingEpochs, (v) => (evaluation.embeddingEpochs = v));
  set(overrides.testLimit, (v) => (evaluation.testLimit = v));
  set(overrides.embeddingPoints, (v) => (evaluation.embeddingPoints = v));
  // Snapshot epochs past the last are never reached: drop them, and if none is left take the last epoch.
  if (evaluation.embeddingEpochs.length > 0) {
    const reached = evaluation.embeddingEpochs.filter((e) => e <= config.epochs);
    evaluation.embeddingEpochs = reached.length > 0 ? reached : [config.epochs];
  }
  return config;
}
