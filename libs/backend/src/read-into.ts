import * as tf from '@tensorflow/tfjs-core';

interface HeapBackend {
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

/**
 * Copies a tensor's values into `target` from `offset` (in elements). On the wasm backend straight
 * out of its heap: `dataSync` there returns a fresh copy of every read, and reading the estimators'
 * and attacks' large results that way kept the garbage collector busy several times a second.
 */
export function readInto(tensor: tf.Tensor, target: tf.TypedArray, offset = 0): void {
  if (offset < 0 || tensor.size + offset > target.length) {
    throw new RangeError(`readInto: ${tensor.size} values from ${offset} do not fit a target of ${target.length}`);
  }
  const values = tf.getBackend() === 'wasm' ? (tf.backend() as unknown as HeapBackend).typedArrayFromHeap(tensor) : tensor.dataSync();
  target.set(values, offset);
}
