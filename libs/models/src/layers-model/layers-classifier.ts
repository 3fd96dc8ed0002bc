import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayersTopology, ModelSpec } from '@conjugate/proto';
import type { ClassifierSpec } from '../classifier';
import type { TrainableClassifier } from '../create-classifier';
import { ModelSpecError } from '../model-spec-error';
import { parseLayersChain, type LayersChain } from './layers-chain';

export const LAYERS_ARCHITECTURE = 'layers';

/** What a "layers" spec may give; the proto ModelSpec fits. */
export interface LayersSpecInput {
  inputShape?: number[];
  numClasses?: number;
  featureLayer?: string;
  seed?: number;
  layers?: LayersTopology;
}

interface ResolvedLayers {
  spec: ModelSpec;
  chain: LayersChain;
  /** Index in chain.layers of the feature layer; -1 = the input (z = x). */
  split: number;
  range: [number, number];
}

/** The spec with everything filled in from the topology, or a ModelSpecError naming the field. */
export function resolveLayersSpec(input: LayersSpecInput): ResolvedLayers {
  const topology = input.layers;
  if (!topology) throw new ModelSpecError('invalid', 'layers', 'required when architecture is "layers" (the model\'s topology)');
  const chain = parseLayersChain(topology.modelTopologyJson);
  const given = input.inputShape ?? [];
  if (given.length > 0 && given.join(',') !== chain.inputShape.join(',')) {
    throw new ModelSpecError('invalid', 'input_shape', `[${given.join(', ')}] disagrees with the model's input [${chain.inputShape.join(', ')}] (leave it empty to take the model's)`);
  }
  if (input.numClasses && input.numClasses !== chain.numClasses) {
    throw new ModelSpecError('invalid', 'num_classes', `${input.numClasses} disagrees with the model's last layer, which outputs ${chain.numClasses} (leave it 0 to take the model's)`);
  }
  const seed = input.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new ModelSpecError('invalid', 'seed', `must be an integer, got ${seed}`);
  const min = topology.inputMin;
  let max = topology.inputMax;
  if (min === 0 && max === 0) max = 1;
  if (!Number.isFinite(min) || !Number.isFinite(max) || !(max > min)) {
    throw new ModelSpecError('invalid', 'layers.input_max', `the input range must have input_min < input_max (both 0 = [0, 1]), got [${topology.inputMin}, ${topology.inputMax}]`);
  }
  const featureLayer = input.featureLayer || chain.defaultFeatureLayer;
  const split = featureLayer === chain.inputName ? -1 : chain.layers.findIndex((l) => l.name === featureLayer);
  if ((split < 0 && featureLayer !== chain.inputName) || split === chain.layers.length - 1) {
    const choices = [chain.inputName, ...chain.layers.slice(0, -1).map((l) => l.name)];
    throw new ModelSpecError('not-found', 'feature_layer', `no layer "${featureLayer}" to split ${chain.modelName} at (the last layer outputs logits; choose one of: ${choices.join(', ')})`);
  }
  const spec: ModelSpec = {
    architecture: LAYERS_ARCHITECTURE,
    inputShape: [...chain.inputShape],
    numClasses: chain.numClasses,
    featureLayer,
    seed,
    layers: { modelTopologyJson: topology.modelTopologyJson, inputMin: topology.inputMin, inputMax: topology.inputMax },
  };
  return { spec, chain, split, range: [min, max] };
}

/** Builds a caller's Layers model with tfjs-layers, seeded initial weights, split at its feature layer. */
export function createLayersClassifier(input: LayersSpecInput): TrainableClassifier {
  return new LayersClassifier(resolveLayersSpec(input));
}

/**
 * A tfjs-layers Sequential rebuilt from the checked chain. features = the input mapped onto the
 * model's value range, then the layers up to the feature layer, flattened; head = the rest.
 * Layers run in inference mode (Dropout off, BatchNormalization on its moving statistics).
 */
class LayersClassifier implements TrainableClassifier {
  readonly spec: ClassifierSpec;
  readonly modelSpec: ModelSpec;
  readonly weightNames: readonly string[];
  readonly stageNames: readonly string[];
  private readonly model: tfl.Sequential;
  private readonly layers: tfl.layers.Layer[];
  private readonly split: number;
  private readonly featureShape: number[];
  private readonly range: [number, number];
  private readonly variables = new Map<string, { variable: tf.Variable; trainable: boolean }>();

  constructor({ spec, chain, split, range }: ResolvedLayers) {
    this.modelSpec = spec;
    this.split = split;
    this.range = range;
    const input = tfl.layers.inputLayer({ batchInputShape: [null, ...chain.inputShape], name: chain.inputName });
    this.layers = chain.layers.map((l) => l.create());
    this.model = tfl.sequential({ name: chain.modelName, layers: [input, ...this.layers] });
    for (const weight of this.model.weights) {
      // tfjs-layers keeps the tf.Variable protected; the optimizer and the weight loader need it.
      const variable = (weight as unknown as { val: tf.Variable }).val;
      this.variables.set(weight.originalName, { variable, trainable: weight.trainable });
    }
    this.weightNames = [...this.variables.keys()];
    this.initialise(spec.seed);
    this.featureShape = split < 0 ? [...chain.inputShape] : chain.layers[split].outputShape;
    this.spec = {
      architecture: LAYERS_ARCHITECTURE,
      inputShape: chain.inputShape,
      numClasses: chain.numClasses,
      featureSize: this.featureShape.reduce((a, b) => a * b, 1),
    };
    this.stageNames = [chain.inputName, ...chain.layers.slice(0, -1).map((l) => l.name)];
  }

  features(images: tf.Tensor4D): tf.Tensor2D {
    const [, h, w, c] = images.shape;
    const [eh, ew, ec] = this.spec.inputShape;
    if (h !== eh || w !== ew || c !== ec) throw new Error(`the Layers model expects images [B, ${eh}, ${ew}, ${ec}], got [${images.shape.join(', ')}]`);
    return tf.tidy(() => {
      const [min, max] = this.range;
      let x: tf.Tensor = min === 0 && max === 1 ? images : tf.add(tf.mul(images, max - min), min);
      for (const layer of this.layers.slice(0, this.split + 1)) x = layer.apply(x) as tf.Tensor;
      return tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;
    });
  }

  head(features: tf.Tensor2D): tf.Tensor2D {
    if (features.shape[1] !== this.spec.featureSize) throw new Error(`the Layers model's head expects features [B, ${this.spec.featureSize}], got [${features.shape.join(', ')}]`);
    return tf.tidy(() => {
      let x: tf.Tensor = tf.reshape(features, [features.shape[0], ...this.featureShape]);
      for (const layer of this.layers.slice(this.split + 1)) x = layer.apply(x) as tf.Tensor;
      return x as tf.Tensor2D;
    });
  }

  logits(images: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.head(this.features(images)));
  }

  trainableVariables(): tf.Variable[] {
    return [...this.variables.values()].filter((v) => v.trainable).map((v) => v.variable);
  }

  weight(name: string): tf.Variable | undefined {
    return this.variables.get(name)?.variable;
  }

  parameterCount(): number {
    return [...this.variables.values()].reduce((sum, v) => sum + v.variable.size, 0);
  }

  dispose(): void {
    this.model.dispose();
    this.variables.clear();
  }

  /**
   * Seeded, per weight name (as the built-in architectures): kernels Glorot-uniform, biases, betas and
   * moving means 0, gammas and moving variances 1 — so training from a topology is reproducible.
   */
  private initialise(seed: number): void {
    for (const [name, { variable }] of this.variables) {
      const last = name.slice(name.lastIndexOf('/') + 1);
      tf.tidy(() => {
        if (last === 'gamma' || last === 'moving_variance') return variable.assign(tf.onesLike(variable));
        if (variable.shape.length < 2) return variable.assign(tf.zerosLike(variable));
        const receptive = variable.shape.slice(0, -2).reduce((a, b) => a * b, 1);
        const fanIn = receptive * variable.shape[variable.shape.length - 2];
        const fanOut = receptive * variable.shape[variable.shape.length - 1];
        const limit = Math.sqrt(6 / (fanIn + fanOut));
        variable.assign(tf.randomUniform(variable.shape, -limit, limit, 'float32', `${seed}/${name}`));
      });
    }
  }
}
