import * as tfl from '@tensorflow/tfjs-layers';
import { ModelSpecError } from '../model-spec-error';
import { LAYERS_LIMITS, TOPOLOGY_FIELD } from './topology-limits';

type Config = Record<string, unknown>;
type Shape = number[];

/** One supported layer, checked: its output shape, how many weight values it holds, and how to build it. */
export interface CheckedLayer {
  name: string;
  className: string;
  outputShape: Shape;
  weightCount: number;
  /** Builds the tfjs-layers layer from whitelisted arguments only (nothing of the JSON passes unread). */
  create(): tfl.layers.Layer;
  /** Dense with activation softmax: the last one is built linear (the services work on logits). */
  isSoftmaxDense?: boolean;
  /** An Activation/Softmax layer applying softmax, dropped at the end of the chain. */
  isSoftmax?: boolean;
}

/** Activations tfjs-layers knows under the same name as Keras. */
const ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'tanh', 'softmax', 'softplus', 'softsign', 'swish', 'mish', 'gelu']);

/** Reads the fields of one layer's config, every error naming the layer. */
class ConfigReader {
  constructor(
    private readonly config: Config,
    readonly layer: string,
    readonly className: string,
  ) {}

  fail(detail: string): never {
    throw new ModelSpecError('invalid', TOPOLOGY_FIELD, `layer "${this.layer}" (${this.className}): ${detail}`);
  }

  has(key: string): boolean {
    return this.config[key] !== undefined && this.config[key] !== null;
  }

  int(key: string, fallback?: number, min = 1): number {
    const value = this.has(key) ? this.config[key] : fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > LAYERS_LIMITS.maxDimension) {
      this.fail(`${key} must be an integer in [${min}, ${LAYERS_LIMITS.maxDimension}], got ${JSON.stringify(this.config[key] ?? null)}`);
    }
    return value;
  }

  /** A size given as one integer or as [rows, columns]. */
  pair(key: string, fallback?: [number, number]): [number, number] {
    const value = this.has(key) ? this.config[key] : fallback;
    const list = typeof value === 'number' ? [value, value] : value;
    const ok = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= LAYERS_LIMITS.maxDimension;
    if (!Array.isArray(list) || list.length !== 2 || !list.every(ok)) this.fail(`${key} must be an integer or two integers in [1, ${LAYERS_LIMITS.maxDimension}], got ${JSON.stringify(value ?? null)}`);
    return [list[0] as number, list[1] as number];
  }

  number(key: string, fallback: number, min: number, max: number): number {
    const value = this.has(key) ? this.config[key] : fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) this.fail(`${key} must be a number in [${min}, ${max}], got ${JSON.stringify(this.config[key])}`);
    return value;
  }

  bool(key: string, fallback: boolean): boolean {
    const value = this.has(key) ? this.config[key] : fallback;
    if (typeof value !== 'boolean') this.fail(`${key} must be true or false, got ${JSON.stringify(this.config[key])}`);
    return value;
  }

  oneOf<T extends string>(key: string, choices: readonly T[], fallback: T): T {
    const value = this.has(key) ? this.config[key] : fallback;
    if (!choices.includes(value as T)) this.fail(`${key} must be one of ${choices.join(', ')}, got ${JSON.stringify(this.config[key])}`);
    return value as T;
  }

  activation(key = 'activation'): string {
    const value = this.has(key) ? this.config[key] : 'linear';
    if (typeof value !== 'string' || !ACTIVATIONS.has(value)) this.fail(`${key} ${JSON.stringify(value)} is not supported (supported: ${[...ACTIVATIONS].join(', ')})`);
    return value;
  }

  channelsLast(): void {
    if (this.has('data_format') && this.config.data_format !== 'channels_last') this.fail(`data_format must be channels_last, got ${JSON.stringify(this.config.data_format)}`);
  }

  rank(input: Shape, rank: number): void {
    if (input.length !== rank) this.fail(`needs an input of rank ${rank} [${rank === 3 ? 'height, width, channels' : '…'}], got [${input.join(', ')}]`);
  }

  get raw(): Config {
    return this.config;
  }
}

/** Output size of a convolution or pooling along one axis. */
function outputSize(r: ConfigReader, size: number, kernel: number, stride: number, padding: 'valid' | 'same'): number {
  const out = padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - kernel) / stride) + 1;
  if (out < 1) r.fail(`kernel ${kernel} does not fit an input of size ${size}`);
  return out;
}

type Rule = (r: ConfigReader, input: Shape, base: { name: string; trainable: boolean }) => Omit<CheckedLayer, 'name' | 'className'>;

const PADDINGS = ['valid', 'same'] as const;

function noDilation(r: ConfigReader): void {
  const dilation = r.pair('dilation_rate', [1, 1]);
  if (dilation[0] !== 1 || dilation[1] !== 1) r.fail(`dilation_rate must be 1, got [${dilation.join(', ')}]`);
}

const conv2d: Rule = (r, input, base) => {
  r.rank(input, 3);
  r.channelsLast();
  noDilation(r);
  if (r.has('groups') && r.raw.groups !== 1) r.fail(`groups must be 1, got ${JSON.stringify(r.raw.groups)}`);
  const filters = r.int('filters');
  const kernelSize = r.pair('kernel_size');
  const strides = r.pair('strides', [1, 1]);
  const padding = r.oneOf('padding', PADDINGS, 'valid');
  const activation = r.activation();
  const useBias = r.bool('use_bias', true);
  const [h, w, c] = input;
  return {
    outputShape: [outputSize(r, h, kernelSize[0], strides[0], padding), outputSize(r, w, kernelSize[1], strides[1], padding), filters],
    weightCount: kernelSize[0] * kernelSize[1] * c * filters + (useBias ? filters : 0),
    create: () => tfl.layers.conv2d({ ...base, filters, kernelSize, strides, padding, activation: activation as never, useBias }),
  };
};

const depthwiseConv2d: Rule = (r, input, base) => {
  r.rank(input, 3);
  r.channelsLast();
  noDilation(r);
  const kernelSize = r.pair('kernel_size');
  const strides = r.pair('strides', [1, 1]);
  const padding = r.oneOf('padding', PADDINGS, 'valid');
  const depthMultiplier = r.int('depth_multiplier', 1);
  const activation = r.activation();
  const useBias = r.bool('use_bias', true);
  const [h, w, c] = input;
  return {
    outputShape: [outputSize(r, h, kernelSize[0], strides[0], padding), outputSize(r, w, kernelSize[1], strides[1], padding), c * depthMultiplier],
    weightCount: kernelSize[0] * kernelSize[1] * c * depthMultiplier + (useBias ? c * depthMultiplier : 0),
    create: () => tfl.layers.depthwiseConv2d({ ...base, kernelSize, strides, padding, depthMultiplier, activation: activation as never, useBias }),
  };
};

const dense: Rule = (r, input, base) => {
  if (input.length < 1) r.fail('needs an input of rank ≥ 1');
  const units = r.int('units');
  const activation = r.activation();
  const useBias = r.bool('use_bias', true);
  return {
    outputShape: [...input.slice(0, -1), units],
    weightCount: input[input.length - 1] * units + (useBias ? units : 0),
    isSoftmaxDense: activation === 'softmax',
    create: () => tfl.layers.dense({ ...base, units, activation: activation as never, useBias }),
  };
};

/** Dense whose softmax is dropped: same weights, logits out. */
export function linearDense(layer: CheckedLayer, config: Config, trainable: boolean): CheckedLayer {
  const r = new ConfigReader(config, layer.name, 'Dense');
  const units = r.int('units');
  const useBias = r.bool('use_bias', true);
  return { ...layer, isSoftmaxDense: false, create: () => tfl.layers.dense({ name: layer.name, trainable, units, activation: 'linear', useBias }) };
}

function pooling(kind: 'max' | 'average'): Rule {
  return (r, input, base) => {
    r.rank(input, 3);
    r.channelsLast();
    const poolSize = r.pair('pool_size', [2, 2]);
    const strides = r.pair('strides', poolSize);
    const padding = r.oneOf('padding', PADDINGS, 'valid');
    const [h, w, c] = input;
    const args = { ...base, poolSize, strides, padding };
    return {
      outputShape: [outputSize(r, h, poolSize[0], strides[0], padding), outputSize(r, w, poolSize[1], strides[1], padding), c],
      weightCount: 0,
      create: () => (kind === 'max' ? tfl.layers.maxPooling2d(args) : tfl.layers.averagePooling2d(args)),
    };
  };
}

function globalPooling(kind: 'max' | 'average'): Rule {
  return (r, input, base) => {
    r.rank(input, 3);
    r.channelsLast();
    if (r.has('keepdims') && r.raw.keepdims !== false) r.fail('keepdims must be false');
    return {
      outputShape: [input[2]],
      weightCount: 0,
      create: () => (kind === 'max' ? tfl.layers.globalMaxPooling2d(base) : tfl.layers.globalAveragePooling2d(base)),
    };
  };
}

const flatten: Rule = (_r, input, base) => ({
  outputShape: [input.reduce((a, b) => a * b, 1)],
  weightCount: 0,
  create: () => tfl.layers.flatten(base),
});

const reshape: Rule = (r, input, base) => {
  const target = r.raw.target_shape;
  if (!Array.isArray(target) || target.length < 1 || target.length > 4) return r.fail(`target_shape must be a list of 1 to 4 integers, got ${JSON.stringify(target ?? null)}`);
  const size = input.reduce((a, b) => a * b, 1);
  const unknown = target.filter((d) => d === -1).length;
  if (unknown > 1 || !target.every((d) => d === -1 || (Number.isInteger(d) && d >= 1 && d <= LAYERS_LIMITS.maxDimension))) {
    r.fail(`target_shape must be positive integers (at most one -1), got [${target.join(', ')}]`);
  }
  const known = (target as number[]).filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const shape = (target as number[]).map((d) => (d === -1 ? size / known : d));
  if (shape.reduce((a, b) => a * b, 1) !== size || !shape.every(Number.isInteger)) r.fail(`target_shape [${target.join(', ')}] does not fit an input of ${size} values [${input.join(', ')}]`);
  return { outputShape: shape, weightCount: 0, create: () => tfl.layers.reshape({ ...base, targetShape: shape }) };
};

const dropout: Rule = (r, input, base) => {
  const rate = r.number('rate', 0.5, 0, 1);
  return { outputShape: input, weightCount: 0, create: () => tfl.layers.dropout({ ...base, rate: Math.min(rate, 0.999) }) };
};

const activation: Rule = (r, input, base) => {
  const name = r.activation();
  return { outputShape: input, weightCount: 0, isSoftmax: name === 'softmax', create: () => tfl.layers.activation({ ...base, activation: name as never }) };
};

const relu: Rule = (r, input, base) => {
  if (r.has('negative_slope') && r.raw.negative_slope !== 0) r.fail('negative_slope must be 0');
  if (r.has('threshold') && r.raw.threshold !== 0) r.fail('threshold must be 0');
  const maxValue = r.has('max_value') ? r.number('max_value', 0, 0, 1e30) : undefined;
  return { outputShape: input, weightCount: 0, create: () => tfl.layers.reLU({ ...base, maxValue }) };
};

const softmax: Rule = (r, input, base) => {
  if (r.has('axis') && r.raw.axis !== -1 && r.raw.axis !== input.length) r.fail('axis must be the last axis (-1)');
  return { outputShape: input, weightCount: 0, isSoftmax: true, create: () => tfl.layers.softmax(base) };
};

const batchNormalization: Rule = (r, input, base) => {
  const axis = r.raw.axis;
  const last = Array.isArray(axis) ? axis.length === 1 && (axis[0] === -1 || axis[0] === input.length) : axis === undefined || axis === -1 || axis === input.length;
  if (!last) r.fail(`axis must be the last axis (-1), got ${JSON.stringify(axis)}`);
  const epsilon = r.number('epsilon', 1e-3, 0, 1);
  const momentum = r.number('momentum', 0.99, 0, 1);
  const center = r.bool('center', true);
  const scale = r.bool('scale', true);
  const channels = input[input.length - 1];
  return {
    outputShape: input,
    weightCount: channels * (2 + (center ? 1 : 0) + (scale ? 1 : 0)),
    create: () => tfl.layers.batchNormalization({ ...base, axis: -1, epsilon, momentum, center, scale }),
  };
};

const zeroPadding2d: Rule = (r, input, base) => {
  r.rank(input, 3);
  r.channelsLast();
  const p = r.raw.padding ?? 1;
  const ok = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= LAYERS_LIMITS.maxDimension;
  let pads: [[number, number], [number, number]];
  if (ok(p)) pads = [[p as number, p as number], [p as number, p as number]];
  else if (Array.isArray(p) && p.length === 2 && p.every(ok)) pads = [[p[0], p[0]], [p[1], p[1]]];
  else if (Array.isArray(p) && p.length === 2 && p.every((q) => Array.isArray(q) && q.length === 2 && q.every(ok))) pads = p as [[number, number], [number, number]];
  else return r.fail(`padding must be an integer, two integers or two pairs, got ${JSON.stringify(p)}`);
  const [h, w, c] = input;
  return {
    outputShape: [h + pads[0][0] + pads[0][1], w + pads[1][0] + pads[1][1], c],
    weightCount: 0,
    create: () => tfl.layers.zeroPadding2d({ ...base, padding: pads }),
  };
};

/** Every supported Keras / TF.js class name and its rule. */
const RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ['Conv2D', conv2d],
  ['DepthwiseConv2D', depthwiseConv2d],
  ['Dense', dense],
  ['MaxPooling2D', pooling('max')],
  ['AveragePooling2D', pooling('average')],
  ['GlobalMaxPooling2D', globalPooling('max')],
  ['GlobalAveragePooling2D', globalPooling('average')],
  ['Flatten', flatten],
  ['Reshape', reshape],
  ['Dropout', dropout],
  ['Activation', activation],
  ['ReLU', relu],
  ['Softmax', softmax],
  ['BatchNormalization', batchNormalization],
  ['ZeroPadding2D', zeroPadding2d],
]);

export const SUPPORTED_LAYER_CLASSES: readonly string[] = ['InputLayer', ...RULES.keys()];

/** Checks one layer of the chain given its input shape; unknown classes and bad configs name the layer. */
export function checkLayer(className: string, name: string, config: Config, input: Shape, trainable: boolean): CheckedLayer {
  const rule = RULES.get(className);
  if (!rule) {
    throw new ModelSpecError('invalid', TOPOLOGY_FIELD, `layer "${name}" has unsupported class "${className}" (supported: ${SUPPORTED_LAYER_CLASSES.join(', ')})`);
  }
  const checked = rule(new ConfigReader(config, name, className), input, { name, trainable });
  return { name, className, ...checked };
}
