import { AttackArgumentError, resolveAttackSpec, type AttackSpec } from '@conjugate/attacks';
import { createClassifier, ModelSpecError, resolveModelSpec } from '@conjugate/models';
import { Optimizer, RunConfig, type DatasetInfo, type ModelSpec } from '@conjugate/proto';
import { invalidArgument, notFound } from '@conjugate/service-kit';
import { DEFAULT_LEARNING_RATE } from '@conjugate/training';
import { PRESETS } from '@conjugate/presets';
import { checkEstimatorSpecLimits, InvalidEstimateError } from '@conjugate/uncertainty';

/** Limits that keep one bad request from taking the service down. */
export const MAX_EPOCHS = 10_000;
export const MAX_BATCH_SIZE = 4096;
export const MAX_NAME_LENGTH = 200;
export const MAX_DATASET_NAME_LENGTH = 64;
export const MAX_LEARNING_RATE = 10;
/** Evaluation sizes: above the paper presets (10 000 robust points, a whole test split) with room to spare. */
export const MAX_EVALUATION_POINTS = 100_000;
/**
 * Exact t-SNE embeds the clean and the attacked points together and holds two float64 matrices of
 * (2 × points)² entries: 2000 points are 256 MB and minutes of work, 10 000 would be 6.4 GB.
 * The paper's presets map 500.
 */
export const MAX_EMBEDDING_POINTS = 2000;
export const MAX_EMBEDDING_EPOCHS = 1000;

/**
 * Checks what can be checked without the dataset: every field by itself. Throws INVALID_ARGUMENT naming
 * the field ("config.epochs: ..."), NOT_FOUND for an unknown architecture. Returns a copy with the
 * defaults made explicit (learning rate, optimizer, model seed).
 */
export function validateRunConfig(config: RunConfig | undefined): RunConfig {
  if (!config) throw invalidArgument('config: required');
  const field = (name: string, ok: boolean, must: string, got: unknown) => {
    if (!ok) throw invalidArgument(`config.${name}: must be ${must}, got ${JSON.stringify(got)}`);
  };
  field('name', config.name.length <= MAX_NAME_LENGTH, `at most ${MAX_NAME_LENGTH} characters`, `${config.name.length} characters`);
  field('dataset', config.dataset.length <= MAX_DATASET_NAME_LENGTH, `at most ${MAX_DATASET_NAME_LENGTH} characters`, `${config.dataset.length} characters`);
  field('preset', config.preset.length <= MAX_DATASET_NAME_LENGTH, `at most ${MAX_DATASET_NAME_LENGTH} characters`, `${config.preset.length} characters`);
  field('preset', config.preset === '' || PRESETS.some((p) => p.name === config.preset), 'empty or the name of a preset (see `conjugate presets`)', config.preset);
  field('dataset', config.dataset.length > 0, 'a dataset name ("mnist", "fashion-mnist", "cifar10", "synthetic")', config.dataset);
  field('epochs', Number.isInteger(config.epochs) && config.epochs >= 1 && config.epochs <= MAX_EPOCHS, `an integer in 1..${MAX_EPOCHS}`, config.epochs);
  field('batch_size', Number.isInteger(config.batchSize) && config.batchSize >= 1 && config.batchSize <= MAX_BATCH_SIZE, `an integer in 1..${MAX_BATCH_SIZE}`, config.batchSize);
  const learningRate = config.learningRate ?? DEFAULT_LEARNING_RATE;
  field('learning_rate', Number.isFinite(learningRate) && learningRate > 0 && learningRate <= MAX_LEARNING_RATE, `a number in (0, ${MAX_LEARNING_RATE}]`, learningRate);
  const optimizer = config.optimizer === Optimizer.OPTIMIZER_UNSPECIFIED ? Optimizer.OPTIMIZER_ADAM : config.optimizer;
  field('optimizer', optimizer === Optimizer.OPTIMIZER_ADAM || optimizer === Optimizer.OPTIMIZER_SGD, 'OPTIMIZER_ADAM or OPTIMIZER_SGD', config.optimizer);
  field('seed', Number.isSafeInteger(config.seed), 'an integer', config.seed);
  field('train_limit', Number.isSafeInteger(config.trainLimit) && config.trainLimit >= 0, 'an integer ≥ 0 (0 = the whole split)', config.trainLimit);

  const evaluation = config.evaluation;
  if (evaluation) {
    const count = (name: string, value: number, min = 0, max = MAX_EVALUATION_POINTS) =>
      field(`evaluation.${name}`, Number.isInteger(value) && value >= min && value <= max, `an integer in [${min}, ${max}]`, value);
    count('robust_points', evaluation.robustPoints);
    count('ensemble_points', evaluation.ensemblePoints, -1);
    count('embedding_points', evaluation.embeddingPoints, 0, MAX_EMBEDDING_POINTS);
    count('test_limit', evaluation.testLimit);
    field('evaluation.embedding_epochs', evaluation.embeddingEpochs.length <= MAX_EMBEDDING_EPOCHS, `at most ${MAX_EMBEDDING_EPOCHS} epochs`, `${evaluation.embeddingEpochs.length} epochs`);
    evaluation.embeddingEpochs.forEach((e, i) => count(`embedding_epochs[${i}]`, e, 0, MAX_EPOCHS));
    if (evaluation.attack) attackSpecOf(evaluation.attack, 'evaluation.attack');
    if (evaluation.packet) {
      try {
        checkEstimatorSpecLimits(evaluation.packet, 'config.evaluation.packet');
      } catch (error) {
        if (error instanceof InvalidEstimateError) throw invalidArgument(error.message);
        throw error;
      }
    }
  }
  const adversarial = config.adversarial;
  if (adversarial) {
    field('adversarial.ratio', adversarial.ratio >= 0 && adversarial.ratio <= 1, 'in [0, 1]', adversarial.ratio);
    if (adversarial.ratio > 0) {
      const spec = attackSpecOf(adversarial.attack, 'adversarial.attack');
      field('adversarial.attack.space', spec.space === 'pixel', 'SPACE_PIXEL (training attacks the input)', adversarial.attack?.space);
    }
  }

  if (!config.model || !config.model.architecture) throw invalidArgument('config.model.architecture: required ("tiny", "linear", "cnn3", "cnn4", "resnet8")');
  const model: ModelSpec = { ...config.model, seed: config.model.seed || config.seed };
  checkModelSpec(model, config.model.inputShape.length > 0);
  return RunConfig.fromPartial({ ...config, learningRate, optimizer, model });
}

/**
 * Fills the model's input shape and class count from the dataset and checks they agree with it.
 * INVALID_ARGUMENT "config.model.input_shape: ..." when the model cannot take the dataset's images.
 */
export function fitToDataset(config: RunConfig, dataset: DatasetInfo): RunConfig {
  const model = config.model!;
  const imageShape = dataset.imageShape.map(Number);
  if (model.inputShape.length > 0 && model.inputShape.join(',') !== imageShape.join(',')) {
    throw invalidArgument(`config.model.input_shape: [${model.inputShape.join(', ')}] does not match the images of "${dataset.name}", [${imageShape.join(', ')}]`);
  }
  if (model.numClasses !== 0 && model.numClasses !== dataset.numClasses) {
    throw invalidArgument(`config.model.num_classes: ${model.numClasses} does not match the ${dataset.numClasses} classes of "${dataset.name}"`);
  }
  if (config.trainLimit > dataset.trainSize) {
    throw invalidArgument(`config.train_limit: ${config.trainLimit} is more than the ${dataset.trainSize} train images of "${dataset.name}"`);
  }
  const fitted: ModelSpec = { ...model, inputShape: imageShape, numClasses: dataset.numClasses };
  checkModelSpec(fitted, true, `images of "${dataset.name}" are [${imageShape.join(', ')}]: `, true);
  return RunConfig.fromPartial({ ...config, model: resolveModelSpec(fitted) });
}

/** The attack a run trains against, or undefined when adversarial training is off. */
export function adversarialAttackOf(config: RunConfig): { ratio: number; spec: AttackSpec } | undefined {
  const adversarial = config.adversarial;
  if (!adversarial || adversarial.ratio <= 0) return undefined;
  return { ratio: adversarial.ratio, spec: attackSpecOf(adversarial.attack, 'adversarial.attack') };
}

function attackSpecOf(spec: Parameters<typeof resolveAttackSpec>[0], prefix: string): AttackSpec {
  try {
    return resolveAttackSpec(spec);
  } catch (error) {
    if (error instanceof AttackArgumentError) throw invalidArgument(`config.${prefix}${error.field.replace(/^attack/, '')}: ${error.message.replace(`${error.field}: `, '')}`);
    throw error;
  }
}

// Input shape checks need a shape: before the dataset is known, only the rest of the spec is checked.
// `build` also builds the network once (checks the feature layer, which only the built network knows).
function checkModelSpec(spec: ModelSpec, withShape: boolean, context = '', build = false): void {
  try {
    if (build) createClassifier(spec).dispose();
    else resolveModelSpec(withShape ? spec : { ...spec, inputShape: [] });
  } catch (error) {
    if (!(error instanceof ModelSpecError)) throw error;
    if (!withShape && error.field === 'input_shape') return; // e.g. tiny needs one: the dataset will give it
    const message = `config.model.${error.field}: ${context}${error.detail}`;
    throw error.kind === 'not-found' ? notFound(message) : invalidArgument(message);
  }
}
