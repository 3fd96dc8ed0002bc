import * as tf from '@tensorflow/tfjs-core';
import { DType, type Model, type NamedTensor, type Tensor } from '@conjugate/proto';
import { TensorError, tensorMessageValues, valuesToTensorMessage } from '@conjugate/tensor';
import { createClassifier, type TrainableClassifier } from './create-classifier';
import { ModelSpecError } from './model-spec-error';

/** Where a Model message came from, when it is a training checkpoint. */
export interface Provenance {
  runId?: string;
  epoch?: number;
}

/** The classifier's spec and every weight as float32 bytes, bit-exact. */
export function toModelMessage(classifier: TrainableClassifier, provenance: Provenance = {}): Model {
  const weights: NamedTensor[] = classifier.weightNames.map((name) => {
    const variable = classifier.weight(name)!;
    return { name, tensor: float32Message(variable.dataSync() as Float32Array, variable.shape, name) };
  });
  return { spec: { ...classifier.modelSpec }, weights, runId: provenance.runId ?? '', epoch: provenance.epoch ?? 0 };
}

/**
 * Rebuild a classifier from a Model message. Every weight of the architecture must be present exactly
 * once with its shape and dtype float32; anything else is a ModelSpecError naming the weight.
 */
export function fromModelMessage(message: Model): TrainableClassifier {
  if (!message.spec) throw new ModelSpecError('invalid', 'spec', 'missing');
  const classifier = createClassifier(message.spec);
  try {
    loadWeights(classifier, message.weights);
    return classifier;
  } catch (error) {
    classifier.dispose();
    throw error;
  }
}

/** Overwrite the classifier's weights in place from named tensors (all of them, nothing else). */
export function loadWeights(classifier: TrainableClassifier, weights: NamedTensor[]): void {
  const byName = new Map<string, Tensor | undefined>();
  for (const w of weights) {
    if (byName.has(w.name)) throw new ModelSpecError('invalid', `weights[${w.name}]`, 'appears twice');
    if (!classifier.weight(w.name)) {
      throw new ModelSpecError('invalid', `weights[${w.name}]`, `${classifier.spec.architecture} has no such weight (it has: ${classifier.weightNames.join(', ')})`);
    }
    byName.set(w.name, w.tensor);
  }
  // Decode and check all before assigning any, so a bad message leaves the classifier untouched.
  const decoded = classifier.weightNames.map((name) => {
    if (!byName.has(name)) throw new ModelSpecError('invalid', `weights[${name}]`, 'missing');
    const variable = classifier.weight(name)!;
    return { variable, values: float32Values(byName.get(name), variable.shape, `weights[${name}]`) };
  });
  for (const { variable, values } of decoded) {
    tf.tidy(() => variable.assign(tf.tensor(values, variable.shape, 'float32')));
  }
}

function float32Message(values: Float32Array, shape: number[], name: string): Tensor {
  // Copy: a backend may hand out a view of its own memory, which the next kernel can overwrite.
  return valuesToTensorMessage(Float32Array.from(values), shape, DType.DTYPE_FLOAT32, name);
}

function float32Values(tensor: Tensor | undefined, shape: number[], field: string): Float32Array {
  if (!tensor) throw new ModelSpecError('invalid', field, 'tensor missing');
  if (tensor.dtype !== DType.DTYPE_FLOAT32) throw new ModelSpecError('invalid', `${field}.dtype`, `must be DTYPE_FLOAT32, got ${DType[tensor.dtype] ?? tensor.dtype}`);
  if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
    throw new ModelSpecError('invalid', `${field}.shape`, `must be [${shape.join(', ')}], got [${tensor.shape.join(', ')}]`);
  }
  try {
    return tensorMessageValues(tensor, { name: field }).values as Float32Array;
  } catch (error) {
    if (error instanceof TensorError) throw new ModelSpecError('invalid', `${field}.data`, error.message);
    throw error;
  }
}
