import { ModelSpecError } from '../model-spec-error';
import { checkLayer, linearDense, type CheckedLayer } from './layer-rules';
import { LAYERS_LIMITS, parseTopologyJson, TOPOLOGY_FIELD } from './topology-limits';

type Config = Record<string, unknown>;

/** A caller's Layers model, checked and reduced to a chain of supported layers from image to logits. */
export interface LayersChain {
  /** The Keras model name (for messages). */
  modelName: string;
  inputShape: [number, number, number];
  /** Name of the input layer ("input" when the topology has none): choosing it as feature layer makes z = x. */
  inputName: string;
  /** The layers after the input, trailing softmax dropped, a final softmax Dense made linear. */
  layers: CheckedLayer[];
  numClasses: number;
  /** The input of the last Dense layer: the output of the layer before it (or the input). */
  defaultFeatureLayer: string;
  weightCount: number;
}

const isObject = (v: unknown): v is Config => typeof v === 'object' && v !== null && !Array.isArray(v);
const NAME = /^[A-Za-z0-9_.\-]{1,128}$/;

function fail(detail: string): never {
  throw new ModelSpecError('invalid', TOPOLOGY_FIELD, detail);
}

/** One layer entry as written by Keras / tfjs-layers: {class_name, config: {name, …}, inbound_nodes?}. */
interface RawLayer {
  className: string;
  name: string;
  config: Config;
  inbound: string[][];
}

function readLayer(entry: unknown, index: number): RawLayer {
  if (!isObject(entry)) fail(`layers[${index}] must be an object`);
  const className = entry.class_name;
  if (typeof className !== 'string' || className.length > 128) fail(`layers[${index}].class_name must be a string`);
  const config = entry.config;
  if (!isObject(config)) fail(`layers[${index}] (${className}).config must be an object`);
  const name = config.name ?? entry.name;
  if (typeof name !== 'string' || !NAME.test(name)) fail(`layers[${index}] (${className}) has no usable name (letters, digits, _ . -; at most 128), got ${JSON.stringify(name ?? null)}`);
  return { className, name, config, inbound: inboundLayers(entry.inbound_nodes, name) };
}

/** The names each inbound node reads from, in the Keras 2 ([[[name, 0, 0, {}]]]) or Keras 3 ({args: [{config: {keras_history}}]}) form. */
function inboundLayers(nodes: unknown, layer: string): string[][] {
  if (nodes === undefined || nodes === null) return [];
  if (!Array.isArray(nodes)) fail(`layer "${layer}": inbound_nodes must be a list`);
  return nodes.map((node) => {
    if (Array.isArray(node)) return node.map((input) => (Array.isArray(input) && typeof input[0] === 'string' ? input[0] : fail(`layer "${layer}": unreadable inbound node`)));
    if (isObject(node) && Array.isArray(node.args)) {
      return node.args.map((arg) => {
        const history = isObject(arg) && isObject(arg.config) ? arg.config.keras_history : undefined;
        return Array.isArray(history) && typeof history[0] === 'string' ? history[0] : fail(`layer "${layer}": unreadable inbound node`);
      });
    }
    return fail(`layer "${layer}": unreadable inbound node`);
  });
}

function inputShapeOf(layer: RawLayer): [number, number, number] | undefined {
  const given = layer.config.batch_input_shape ?? layer.config.batch_shape;
  if (given === undefined || given === null) return undefined;
  const ok = Array.isArray(given) && given.length === 4 && given.slice(1).every((d) => Number.isInteger(d) && d >= 1 && d <= LAYERS_LIMITS.maxDimension);
  if (!ok) fail(`layer "${layer.name}": batch_input_shape must be [null, height, width, channels] with sizes in [1, ${LAYERS_LIMITS.maxDimension}], got ${JSON.stringify(given)}`);
  return [given[1], given[2], given[3]] as [number, number, number];
}

/**
 * model_topology_json → the checked chain. Accepts a whole model.json, a {model_config} wrapper (Keras
 * .save()), a Sequential or a functional Model whose layers each read the one before. Every refusal is
 * a ModelSpecError naming the layer; nothing is allocated here.
 */
export function parseLayersChain(text: string): LayersChain {
  let topology = parseTopologyJson(text);
  if (isObject(topology) && isObject(topology.modelTopology)) topology = topology.modelTopology;
  if (isObject(topology) && isObject(topology.model_config)) topology = topology.model_config;
  if (!isObject(topology)) fail('must be a JSON object (model.json\'s "modelTopology")');
  const modelClass = topology.class_name;
  if (modelClass !== 'Sequential' && modelClass !== 'Model' && modelClass !== 'Functional') {
    fail(`class_name must be Sequential, Model or Functional, got ${JSON.stringify(modelClass ?? null)}`);
  }
  const config = topology.config;
  // Old Keras wrote a Sequential's config as the bare list of layers.
  const entries = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(entries) || entries.length === 0) fail('config.layers must be a non-empty list');
  if (entries.length > LAYERS_LIMITS.maxLayers) fail(`${entries.length} layers, more than the limit of ${LAYERS_LIMITS.maxLayers}`);
  const modelName = isObject(config) && typeof config.name === 'string' ? config.name.slice(0, 128) : 'model';
  const raw = entries.map(readLayer);

  const names = new Set<string>();
  for (const layer of raw) {
    if (names.has(layer.name)) fail(`two layers are named "${layer.name}"`);
    names.add(layer.name);
  }
  if (modelClass !== 'Sequential') requireChain(raw);

  let inputName = 'input';
  let inputShape = inputShapeOf(raw[0]);
  if (raw[0].className === 'InputLayer') {
    inputName = raw[0].name;
    raw.shift();
  }
  for (const [i, layer] of raw.entries()) {
    if (layer.className === 'InputLayer') fail(`layer "${layer.name}": an InputLayer may only come first`);
    if (i > 0 && inputShapeOf(layer)) fail(`layer "${layer.name}": only the first layer may give batch_input_shape`);
  }
  if (raw.length === 0) fail('the model has no layer after its input');
  // Without an InputLayer the input is called "input", unless a layer already has that name.
  if (inputName === 'input' && names.has('input')) inputName = 'input_image';
  inputShape ??= inputShapeOf(raw[0]);
  if (!inputShape) fail(`the first layer "${raw[0].name}" gives no batch_input_shape (the model's input shape [null, height, width, channels])`);

  const layers: CheckedLayer[] = [];
  let shape: number[] = [...inputShape];
  let weightCount = 0;
  for (const layer of raw) {
    const trainable = layer.config.trainable !== false;
    const checked = checkLayer(layer.className, layer.name, layer.config, shape, trainable);
    shape = checked.outputShape;
    const size = shape.reduce((a, b) => a * b, 1);
    if (shape.some((d) => d > LAYERS_LIMITS.maxDimension)) fail(`layer "${layer.name}" outputs [${shape.join(', ')}]: a dimension exceeds ${LAYERS_LIMITS.maxDimension}`);
    if (size > LAYERS_LIMITS.maxActivations) fail(`layer "${layer.name}" outputs ${size} values per image, more than the limit of ${LAYERS_LIMITS.maxActivations}`);
    weightCount += checked.weightCount;
    if (weightCount > LAYERS_LIMITS.maxWeights) fail(`the weights reach ${weightCount} values at layer "${layer.name}", more than the limit of ${LAYERS_LIMITS.maxWeights}`);
    layers.push(checked);
  }

  // The services work on logits: drop a final softmax, wherever the model put it.
  while (layers.length > 1 && layers[layers.length - 1].isSoftmax) layers.pop();
  const last = layers[layers.length - 1];
  if (last.isSoftmaxDense) {
    const { config } = raw.find((l) => l.name === last.name)!;
    layers[layers.length - 1] = linearDense(last, config, config.trainable !== false);
  }
  const out = layers[layers.length - 1].outputShape;
  if (out.length !== 1 || out[0] < 2) fail(`the last layer "${layers[layers.length - 1].name}" outputs [${out.join(', ')}]; a classifier ends in [num_classes] with num_classes ≥ 2`);

  const lastDense = layers.map((l) => l.className).lastIndexOf('Dense');
  if (lastDense < 0) fail('the model has no Dense layer: give feature_layer (the name of the layer whose output is the feature vector)');
  const defaultFeatureLayer = lastDense === 0 ? inputName : layers[lastDense - 1].name;
  return { modelName, inputShape, inputName, layers, numClasses: out[0], defaultFeatureLayer, weightCount };
}

/** A functional model must be a chain: each layer reads exactly the one listed before it. */
function requireChain(raw: RawLayer[]): void {
  for (const [i, layer] of raw.entries()) {
    if (i === 0) {
      if (layer.inbound.length > 0) fail(`layer "${layer.name}" comes first but reads from ${layer.inbound.flat().join(', ')}`);
      continue;
    }
    const reads = layer.inbound;
    if (reads.length !== 1 || reads[0].length !== 1) {
      fail(`layer "${layer.name}" reads ${reads.flat().length === 0 ? 'nothing' : `from ${reads.flat().join(', ')}`}: only models whose layers form one chain can be split into features and head`);
    }
    if (reads[0][0] !== raw[i - 1].name) {
      fail(`layer "${layer.name}" reads from "${reads[0][0]}", not from the layer before it ("${raw[i - 1].name}"): only models whose layers form one chain can be split into features and head`);
    }
  }
}
