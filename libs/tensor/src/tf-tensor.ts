import * as tf from '@tensorflow/tfjs-core';
import { DType, type Tensor } from '@conjugate/proto';
import { dtypeLabel, type ElementArray } from './dtype';
import { TensorError } from './tensor-error';
import type { DecodeOptions } from './validate';
import { tensorMessageValues, valuesToTensorMessage } from './values';

const messageDtypes: Partial<Record<tf.DataType, DType>> = {
  float32: DType.DTYPE_FLOAT32,
  int32: DType.DTYPE_INT32,
  bool: DType.DTYPE_BOOL,
};

/** tf.Tensor → message (float32, int32, bool). Reads synchronously; the bytes are not copied again. */
export function toTensorMessage(tensor: tf.Tensor, name = 'tensor'): Tensor {
  const dtype = messageDtypes[tensor.dtype];
  if (dtype === undefined) {
    throw new TensorError('UNKNOWN_DTYPE', `${name}: tf dtype ${tensor.dtype} has no Tensor message encoding (float32, int32, bool)`);
  }
  return valuesToTensorMessage(tensor.dataSync() as ElementArray, tensor.shape, dtype, name);
}

/**
 * Message → tf.Tensor, validated (see DecodeOptions). FLOAT32, INT32 and BOOL keep their dtype;
 * UINT8 becomes int32 (tf has no uint8). FLOAT64 is refused: it is for statistics, not tf (use
 * float64FromTensorMessage).
 */
export function fromTensorMessage(message: Tensor, options: DecodeOptions = {}): tf.Tensor {
  const name = options.name ?? 'tensor';
  if (message.dtype === DType.DTYPE_FLOAT64) {
    throw new TensorError('DTYPE_MISMATCH', `${name}: ${dtypeLabel(message.dtype)} cannot become a tf.Tensor; send DTYPE_FLOAT32`);
  }
  const { dtype, shape, values } = tensorMessageValues(message, options);
  switch (dtype) {
    case DType.DTYPE_FLOAT32:
      return tf.tensor(values as Float32Array, shape, 'float32');
    case DType.DTYPE_INT32:
      return tf.tensor(values as Int32Array, shape, 'int32');
    case DType.DTYPE_UINT8:
      return tf.tensor(Int32Array.from(values as Uint8Array), shape, 'int32');
    default:
      return tf.tensor(values as Uint8Array, shape, 'bool');
  }
}
