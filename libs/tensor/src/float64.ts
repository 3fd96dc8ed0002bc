import { DType, type Tensor } from '@conjugate/proto';
import type { DecodeOptions } from './validate';
import { tensorMessageValues, valuesToTensorMessage } from './values';

/** Double-precision statistics (e.g. the estimators' running sums) → message, without copying. */
export function float64ToTensorMessage(values: Float64Array, shape: readonly number[] = [values.length], name = 'tensor'): Tensor {
  return valuesToTensorMessage(values, shape, DType.DTYPE_FLOAT64, name);
}

/** Message → Float64Array (a view when aligned); the message must be DTYPE_FLOAT64. */
export function float64FromTensorMessage(message: Tensor, options: Omit<DecodeOptions, 'expectDtype'> = {}): { values: Float64Array; shape: number[] } {
  const { values, shape } = tensorMessageValues(message, { ...options, expectDtype: DType.DTYPE_FLOAT64 });
  return { values: values as Float64Array, shape };
}
