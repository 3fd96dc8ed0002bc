import * as tf from '@tensorflow/tfjs-core';
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

/** 2-D convolution (NHWC) with bias, weights `<name>/kernel` [k, k, in, out] and `<name>/bias`. */
export function conv2d(store: ParameterStore, name: string, o: ConvOptions): Forward {
  const fanIn = o.kernel * o.kernel * o.inChannels;
  const kernel = store.add(`${name}/kernel`, [o.kernel, o.kernel, o.inChannels, o.filters], o.relu === false ? 'glorot' : 'he', fanIn, o.kernel * o.kernel * o.filters);
  const bias = store.add(`${name}/bias`, [o.filters], 'zeros');
  const stride = o.stride ?? 1;
  const padding = o.padding ?? 'valid';
  return (x) =>
    tf.tidy(() => {
      const y = tf.add(tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, stride, padding), bias);
      return o.relu === false ? y : tf.relu(y);
    });
}

/** Fully connected layer on [B, in], weights `<name>/kernel` [in, units] and `<name>/bias`. */
export function dense(store: ParameterStore, name: string, inputs: number, units: number, relu: boolean): Forward {
  const kernel = store.add(`${name}/kernel`, [inputs, units], relu ? 'he' : 'glorot', inputs, units);
  const bias = store.add(`${name}/bias`, [units], 'zeros');
  return (x) =>
    tf.tidy(() => {
      const y = tf.add(tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D), bias);
      return relu ? tf.relu(y) : y;
    });
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
