import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { createClassifier } from '../create-classifier';
import { ModelSpecError } from '../model-spec-error';
import { cnn3AsLayersTopology } from './cnn3-as-layers';
import { jsonDepth, LAYERS_LIMITS } from './topology-limits';

beforeAll(async () => {
  await initBackend();
});

const layer = (className: string, config: Record<string, unknown>) => ({ class_name: className, config });
const sequential = (...layers: unknown[]) => JSON.stringify({ class_name: 'Sequential', config: { name: 'm', layers } });
const input = { batch_input_shape: [null, 8, 8, 1] };
const small = (...middle: unknown[]) => sequential(layer('Flatten', { name: 'flat', ...input }), ...middle, layer('Dense', { name: 'out', units: 3 }));

/** Builds a "layers" classifier from the JSON text; returns the refusal (and checks nothing leaked). */
function refusal(json: string, spec: Record<string, unknown> = {}): ModelSpecError {
  const before = tf.memory().numTensors;
  try {
    createClassifier({ architecture: 'layers', layers: { modelTopologyJson: json, inputMin: 0, inputMax: 0 }, ...spec }).dispose();
  } catch (error) {
    expect(tf.memory().numTensors).toBe(before);
    expect(error).toBeInstanceOf(ModelSpecError);
    return error as ModelSpecError;
  }
  throw new Error('accepted');
}

it('a small valid model builds (the baseline the refusals below differ from)', () => {
  const c = createClassifier({ architecture: 'layers', layers: { modelTopologyJson: small(), inputMin: 0, inputMax: 0 } });
  expect(c.spec).toEqual({ architecture: 'layers', inputShape: [8, 8, 1], numClasses: 3, featureSize: 64 });
  expect(c.modelSpec.featureLayer).toBe('flat');
  c.dispose();
});

it.each([
  ['empty', '', /required/],
  ['not JSON', '{"class_name": ', /not JSON/],
  ['a JSON array', '[1, 2]', /JSON object/],
  ['an unknown model class', JSON.stringify({ class_name: 'Evil', config: {} }), /class_name must be Sequential/],
  ['no layers', sequential(), /non-empty list/],
  ['an unknown layer class', small(layer('Lambda', { name: 'code', function: 'rm -rf /' })), /layer "code" has unsupported class "Lambda"/],
  ['a custom layer', small(layer('MyCustomLayer', { name: 'mine' })), /layer "mine" has unsupported class "MyCustomLayer"/],
  ['a class name that is not a string', small({ class_name: { toString: 1 }, config: { name: 'x' } }), /class_name must be a string/],
  ['a layer without a name', small(layer('Dropout', { rate: 0.1 })), /no usable name/],
  ['a layer name with a slash', small(layer('Dropout', { name: 'a/b' })), /no usable name/],
  ['two layers with one name', small(layer('Dropout', { name: 'flat' })), /two layers are named "flat"/],
  ['no input shape', sequential(layer('Flatten', { name: 'f' }), layer('Dense', { name: 'o', units: 2 })), /gives no batch_input_shape/],
  ['a rank-2 input', sequential(layer('Flatten', { name: 'f', batch_input_shape: [null, 8, 8] }), layer('Dense', { name: 'o', units: 2 })), /batch_input_shape must be \[null, height, width, channels\]/],
  ['a huge input dimension', sequential(layer('Flatten', { name: 'f', batch_input_shape: [null, 1e12, 8, 1] }), layer('Dense', { name: 'o', units: 2 })), /batch_input_shape must be/],
  ['huge units', small(layer('Dense', { name: 'wide', units: 1e9 })), /layer "wide" \(Dense\): units must be an integer in \[1, 65536\]/],
  ['a weight count over the limit', small(layer('Dense', { name: 'w1', units: 65536 }), layer('Dense', { name: 'w2', units: 65536 })), /weights reach .* at layer "w2", more than the limit/],
  ['too many activations', sequential(layer('Conv2D', { name: 'c', filters: 65536, kernel_size: 1, padding: 'same', batch_input_shape: [null, 64, 64, 1] }), layer('Flatten', { name: 'f' }), layer('Dense', { name: 'o', units: 2 })), /layer "c" outputs 268435456 values per image/],
  ['a kernel larger than the input', sequential(layer('Conv2D', { name: 'c', filters: 2, kernel_size: 9, batch_input_shape: [null, 8, 8, 1] }), layer('Flatten', { name: 'f' }), layer('Dense', { name: 'o', units: 2 })), /layer "c" \(Conv2D\): kernel 9 does not fit an input of size 8/],
  ['channels first', sequential(layer('Conv2D', { name: 'c', filters: 2, kernel_size: 3, data_format: 'channels_first', batch_input_shape: [null, 8, 8, 1] }), layer('Flatten', { name: 'f' }), layer('Dense', { name: 'o', units: 2 })), /data_format must be channels_last/],
  ['an unknown activation', small(layer('Activation', { name: 'act', activation: 'eval' })), /layer "act" \(Activation\): activation "eval" is not supported/],
  ['a conv on a flat input', small(layer('Conv2D', { name: 'c2', filters: 2, kernel_size: 1 })), /layer "c2" \(Conv2D\): needs an input of rank 3/],
  ['one output class', sequential(layer('Flatten', { name: 'f', ...input }), layer('Dense', { name: 'o', units: 1 })), /outputs \[1\]; a classifier ends in \[num_classes\]/],
  ['no Dense layer', sequential(layer('GlobalAveragePooling2D', { name: 'g', batch_input_shape: [null, 4, 4, 3] })), /no Dense layer: give feature_layer/],
  ['a second InputLayer', small(layer('InputLayer', { name: 'in2', batch_input_shape: [null, 64] })), /an InputLayer may only come first/],
])('refuses %s, naming what is wrong', (_what, json, message) => {
  const error = refusal(json);
  expect(error.field).toBe('layers.model_topology_json');
  expect(error.message).toMatch(message);
});

it('refuses deep nesting before parsing it', () => {
  const deep = '['.repeat(400_000) + ']'.repeat(400_000);
  expect(jsonDepth(deep)).toBe(400_000);
  expect(refusal(deep).message).toMatch(/nested 400000 levels deep, more than the limit of 64/);
  // Brackets inside strings do not count.
  expect(jsonDepth(JSON.stringify({ a: '[[[[{{{{' }))).toBe(1);
});

it('refuses a topology over the size limit', () => {
  const big = JSON.stringify({ class_name: 'Sequential', config: { layers: [], padding: 'x'.repeat(LAYERS_LIMITS.maxTopologyBytes) } });
  expect(refusal(big).message).toMatch(/bytes, more than the limit of 1048576/);
});

it('refuses a functional model that is not one chain, naming the layer', () => {
  const node = (from: string) => [[[from, 0, 0, {}]]];
  const functional = (layers: unknown[]) => JSON.stringify({ class_name: 'Functional', config: { name: 'f', layers, input_layers: [['in', 0, 0]], output_layers: [['out', 0, 0]] } });
  const inputLayer = { class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_input_shape: [null, 4, 4, 1] }, inbound_nodes: [] };
  const flat = { class_name: 'Flatten', name: 'flat', config: { name: 'flat' }, inbound_nodes: node('in') };
  const chain = functional([inputLayer, flat, { class_name: 'Dense', name: 'out', config: { name: 'out', units: 2 }, inbound_nodes: node('flat') }]);
  const ok = createClassifier({ architecture: 'layers', layers: { modelTopologyJson: chain, inputMin: 0, inputMax: 0 } });
  expect(ok.spec.featureSize).toBe(16);
  ok.dispose();
  const skip = functional([inputLayer, flat, { class_name: 'Dense', name: 'out', config: { name: 'out', units: 2 }, inbound_nodes: node('in') }]);
  expect(refusal(skip).message).toMatch(/layer "out" reads from "in", not from the layer before it \("flat"\)/);
  const add = functional([inputLayer, flat, { class_name: 'Add', name: 'out', config: { name: 'out' }, inbound_nodes: [[['flat', 0, 0, {}], ['in', 0, 0, {}]]] }]);
  expect(refusal(add).message).toMatch(/layer "out" reads from flat, in: only models whose layers form one chain/);
});

it('checks the spec fields against the model, naming both', () => {
  const json = cnn3AsLayersTopology();
  const shape = refusal(json, { inputShape: [32, 32, 3] });
  expect([shape.field, shape.message]).toEqual(['input_shape', "input_shape: [32, 32, 3] disagrees with the model's input [28, 28, 1] (leave it empty to take the model's)"]);
  expect(refusal(json, { numClasses: 3 }).message).toMatch(/num_classes: 3 disagrees with the model's last layer, which outputs 10/);
  const layerName = refusal(json, { featureLayer: 'logits' });
  expect([layerName.kind, layerName.field]).toEqual(['not-found', 'feature_layer']);
  expect(layerName.message).toMatch(/choose one of: input, conv1, pool1, conv2, pool2, conv3, flatten, fc1/);
  expect(refusal(json, { featureLayer: 'nope' }).kind).toBe('not-found');
  const range = () => createClassifier({ architecture: 'layers', layers: { modelTopologyJson: json, inputMin: 1, inputMax: -1 } });
  expect(range).toThrow(/layers.input_max: the input range must have input_min < input_max/);
  expect(() => createClassifier({ architecture: 'layers' })).toThrow(/layers: required/);
});
