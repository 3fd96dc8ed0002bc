// The contract's Tensor message ⇄ tf.Tensor and typed arrays, with validation that names the problem.
export { TensorError, type TensorErrorCode } from './tensor-error';
export { dtypeInfo, dtypeLabel, type ElementArray } from './dtype';
export { checkTensorMessage, defaultMaxElements, type CheckedTensor, type DecodeOptions } from './validate';
export { tensorMessageValues, valuesToTensorMessage, type TensorValues } from './values';
export { toTensorMessage, fromTensorMessage } from './tf-tensor';
export { float64ToTensorMessage, float64FromTensorMessage } from './float64';
