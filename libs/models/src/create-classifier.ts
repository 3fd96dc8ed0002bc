import * as tf from '@tensorflow/tfjs-core';
import type { LayersTopology, ModelSpec } from '@conjugate/proto';
import { architectures } from './architectures';
import type { Classifier, ClassifierSpec } from './classifier';
import { createLayersClassifier, LAYERS_ARCHITECTURE, resolveLayersSpec } from './layers-model/layers-classifier';
import { ModelSpecError } from './model-spec-error';
import type { Network } from './network';
import { ParameterStore } from './parameters';

/** What createClassifier needs; the proto `ModelSpec` fits. Empty fields take the architecture's defaults. */
export interface ModelSpecInput {
  architecture: string;
  /** [H, W, C]; empty = the architecture's default shape (cnn3 28×28×1, cnn4/resnet8 32×32×3). */
  inputShape?: number[];
  /** 0 or absent = 10. */
  numClasses?: number;
  /** Stage whose flattened output is z; empty = the last convolutional block. */
  featureLayer?: string;
  seed?: number;
  /** The caller's TF.js Layers topology, when architecture is "layers". */
  layers?: LayersTopology;
}

/** A classifier that owns its weights: trainable, serialisable, disposable. */
export interface TrainableClassifier extends Classifier {
  /** The spec with every default filled in (what toModelMessage writes). */
  readonly modelSpec: ModelSpec;
  /** Stable weight names in a fixed order, e.g. "conv1/kernel", "conv1/bias", … */
  readonly weightNames: readonly string[];
  /** Names of the stages a spec may choose as feature layer, input first. */
  readonly stageNames: readonly string[];
  /** The trainable variables, in weightNames order (for optimizer.minimize's varList). */
  trainableVariables(): tf.Variable[];
  weight(name: string): tf.Variable | undefined;
  parameterCount(): number;
  dispose(): void;
}

export const DEFAULT_NUM_CLASSES = 10;

/** The spec with defaults filled in, or a ModelSpecError naming the bad field. */
export function resolveModelSpec(input: ModelSpecInput): ModelSpec {
  if (input.architecture === LAYERS_ARCHITECTURE) return resolveLayersSpec(input).spec;
  const architecture = architectures.get(input.architecture);
  if (!architecture) {
    throw new ModelSpecError('not-found', 'architecture', `unknown architecture "${input.architecture}" (known: ${[...architectures.keys(), LAYERS_ARCHITECTURE].join(', ')})`);
  }
  const given = input.inputShape ?? [];
  let inputShape: [number, number, number];
  if (given.length === 0) {
    if (!architecture.defaultInputShape) throw new ModelSpecError('invalid', 'input_shape', `required for ${architecture.name} ([height, width, channels])`);
    inputShape = architecture.defaultInputShape;
  } else if (given.length !== 3 || !given.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ModelSpecError('invalid', 'input_shape', `must be three positive integers [height, width, channels], got [${given.join(', ')}]`);
  } else {
    inputShape = [given[0], given[1], given[2]];
  }
  const rejected = architecture.rejectInputShape(inputShape);
  if (rejected) throw new ModelSpecError('invalid', 'input_shape', `${architecture.name} input ${rejected}`);
  const numClasses = input.numClasses || DEFAULT_NUM_CLASSES;
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new ModelSpecError('invalid', 'num_classes', `must be an integer ≥ 2, got ${numClasses}`);
  const seed = input.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new ModelSpecError('invalid', 'seed', `must be an integer, got ${seed}`);
  return { architecture: architecture.name, inputShape, numClasses, featureLayer: input.featureLayer ?? '', seed };
}

/** Build a classifier with seeded initial weights. Throws ModelSpecError for a bad spec. */
export function createClassifier(input: ModelSpecInput): TrainableClassifier {
  if (input.architecture === LAYERS_ARCHITECTURE) return createLayersClassifier(input);
  const spec = resolveModelSpec(input);
  const architecture = architectures.get(spec.architecture)!;
  const inputShape = spec.inputShape as [number, number, number];
  const parameters = new ParameterStore(spec.seed);
  let network: Network;
  try {
    network = { ...architecture.build({ inputShape, numClasses: spec.numClasses, seed: spec.seed }, parameters), parameters };
  } catch (error) {
    parameters.dispose();
    throw error;
  }
  const featureLayer = spec.featureLayer || network.defaultFeatureStage;
  const split = network.stages.findIndex((s) => s.name === featureLayer);
  // The last stage outputs logits, so it cannot be the feature layer.
  if (split < 0 || split === network.stages.length - 1) {
    parameters.dispose();
    const choices = network.stages.slice(0, -1).map((s) => s.name);
    throw new ModelSpecError('not-found', 'feature_layer', `no layer "${featureLayer}" in ${spec.architecture} (choose one of: ${choices.join(', ')})`);
  }
  return new SplitClassifier({ ...spec, featureLayer }, network, split);
}

/** A network cut after stage `split`: features = stages 0..split flattened, head = the rest. */
class SplitClassifier implements TrainableClassifier {
  readonly spec: ClassifierSpec;
  readonly weightNames: readonly string[];
  readonly stageNames: readonly string[];
  private readonly featureShape: number[];

  constructor(
    readonly modelSpec: ModelSpec,
    private readonly network: Network,
    private readonly split: number,
  ) {
    const inputShape = modelSpec.inputShape as [number, number, number];
    this.featureShape = tf.tidy(() => this.runFeatureStages(tf.zeros([1, ...inputShape])).shape.slice(1));
    this.spec = {
      architecture: modelSpec.architecture,
      inputShape,
      numClasses: modelSpec.numClasses,
      featureSize: this.featureShape.reduce((a, b) => a * b, 1),
    };
    this.weightNames = network.parameters.names();
    this.stageNames = network.stages.slice(0, -1).map((s) => s.name);
  }

  features(images: tf.Tensor4D): tf.Tensor2D {
    const [, h, w, c] = images.shape;
    const [eh, ew, ec] = this.spec.inputShape;
    if (h !== eh || w !== ew || c !== ec) {
      throw new Error(`${this.spec.architecture} expects images [B, ${eh}, ${ew}, ${ec}], got [${images.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      const z = this.runFeatureStages(images);
      return tf.reshape(z, [z.shape[0], -1]) as tf.Tensor2D;
    });
  }

  head(features: tf.Tensor2D): tf.Tensor2D {
    if (features.shape[1] !== this.spec.featureSize) {
      throw new Error(`${this.spec.architecture} head expects features [B, ${this.spec.featureSize}], got [${features.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      let x: tf.Tensor = tf.reshape(features, [features.shape[0], ...this.featureShape]);
      for (const stage of this.network.stages.slice(this.split + 1)) x = stage.forward(x);
      return x as tf.Tensor2D;
    });
  }

  logits(images: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.head(this.features(images)));
  }

  trainableVariables(): tf.Variable[] {
    return this.network.parameters.variables();
  }

  weight(name: string): tf.Variable | undefined {
    return this.network.parameters.get(name);
  }

  parameterCount(): number {
    return this.network.parameters.count();
  }

  dispose(): void {
    this.network.parameters.dispose();
  }

  private runFeatureStages(images: tf.Tensor): tf.Tensor {
    let x = images;
    for (const stage of this.network.stages.slice(0, this.split + 1)) x = stage.forward(x);
    return x;
  }
}
