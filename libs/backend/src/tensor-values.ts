import * as tf from '@tensorflow/tfjs-core';

interface HeapBackend {
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

/**
 * A tensor's values without a copy where the backend allows it: on wasm a view into the backend's
 * heap — read it at once, before the next tensor operation, which may reuse or move that memory;
 * elsewhere `dataSync`. On wasm `dataSync` returns a fresh copy of every read, and reading the
 * estimators' and attacks' large results that way kept the garbage collector busy several times a second.
 */
export function valuesInPlace(tensor: tf.Tensor): tf.TypedArray {
  return tf.getBackend() === 'wasm' ? (tf.backend() as unknown as HeapBackend).typedArrayFromHeap(tensor) : tensor.dataSync();
}

/** Copies a tensor's values into `target` from `offset` (in elements), straight out of the wasm heap there. */
export function readInto(tensor: tf.Tensor, target: tf.TypedArray, offset = 0): void {
  if (offset < 0 || tensor.size + offset > target.length) {
    throw new RangeError(`readInto: ${tensor.size} values from ${offset} do not fit a target of ${target.length}`);
  }
  target.set(valuesInPlace(tensor), offset);
}
