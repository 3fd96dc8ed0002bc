import * as tf from '@tensorflow/tfjs-core';
import { fusedConv2d, fusedMatMul } from './fused-ops';
import type { ParameterStore } from './parameters';

/** A layer's forward pass: a pure tensor function over the store's variables. */
export type Forward = (x: tf.Tensor) => tf.Tensor;

export interface ConvOptions {
  filters: number;
  kernel: number;
  inChannels: number;
  stride?: number;
  padding?: 'same' | 'valid';
  relu?: boolean;
}

/** 2-D convolution (NHWC) with bias and ReLU (one fused kernel), weights `<name>/kernel` [k, k, in, out] and `<name>/bias`. */
export function conv2d(store: ParameterStore, name: string, o: ConvOptions): Forward {
  const fanIn = o.kernel * o.kernel * o.inChannels;
  const kernel = store.add(`${name}/kernel`, [o.kernel, o.kernel, o.inChannels, o.filters], o.relu === false ? 'glorot' : 'he', fanIn, o.kernel * o.kernel * o.filters);
  const bias = store.add(`${name}/bias`, [o.filters], 'zeros');
  const stride = o.stride ?? 1;
  const padding = o.padding ?? 'valid';
  const activation = o.relu === false ? 'linear' : 'relu';
  return (x) => fusedConv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, bias as tf.Tensor1D, stride, padding, activation);
}

/** Fully connected layer on [B, in] with bias and optional ReLU (one fused kernel), weights `<name>/kernel` [in, units] and `<name>/bias`. */
export function dense(store: ParameterStore, name: string, inputs: number, units: number, relu: boolean): Forward {
  const kernel = store.add(`${name}/kernel`, [inputs, units], relu ? 'he' : 'glorot', inputs, units);
  const bias = store.add(`${name}/bias`, [units], 'zeros');
  return (x) => fusedMatMul(x as tf.Tensor2D, kernel as tf.Tensor2D, bias as tf.Tensor1D, relu ? 'relu' : 'linear');
}

/** 2×2 max-pooling, stride 2. */
export const maxPool2: Forward = (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid');

/** [B, ...] → [B, D]. */
export const flatten: Forward = (x) => tf.reshape(x, [x.shape[0], -1]);

/** Average over height and width: [B, H, W, C] → [B, C]. */
export const globalAveragePool: Forward = (x) => tf.mean(x, [1, 2]);

/** Run layers in order. */
export function sequence(...layers: Forward[]): Forward {
  return (x) => tf.tidy(() => layers.reduce((y, layer) => layer(y), x));
}
