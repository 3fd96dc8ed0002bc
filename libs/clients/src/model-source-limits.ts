import type { ModelSource } from '@conjugate/proto';
import { checkCount, checkInteger, checkString, invalidArgument, truncateForMessage } from '@conjugate/service-kit';
import { TensorError, tensorMessageValues } from '@conjugate/tensor';

/** Limits of a ModelSource (documented in model.proto), checked before anything is fetched or built. */
export const MODEL_LIMITS = Object.freeze({
  runIdChars: 128,
  nameChars: 128,
  maxClasses: 10_000,
  // Height and width of an image; channels up to 16; at most 2^22 values per image (a 2048×2048 RGB is less).
  maxSide: 4096,
  maxChannels: 16,
  maxInputElements: 2 ** 22,
  maxWeights: 4096,
});

/**
 * Checks a ModelSource's fields for size and range: ids and names by length first (so a huge one is
 * refused before any work), then an inline model's spec and its weights (finite values only).
 * INVALID_ARGUMENT names the field.
 */
export function checkModelSource(source: ModelSource | undefined): void {
  const chosen = source?.source;
  if (!chosen) return;
  if (chosen.$case === 'ref') {
    checkString(chosen.value.runId, 'model.ref.run_id', MODEL_LIMITS.runIdChars);
    return;
  }
  const model = chosen.value;
  checkString(model.runId, 'model.inline.run_id', MODEL_LIMITS.runIdChars);
  const spec = model.spec;
  if (spec) {
    checkString(spec.architecture, 'model.inline.spec.architecture', MODEL_LIMITS.nameChars);
    checkString(spec.featureLayer, 'model.inline.spec.feature_layer', MODEL_LIMITS.nameChars);
    checkInteger(spec.numClasses, 'model.inline.spec.num_classes', 0, MODEL_LIMITS.maxClasses);
    if (spec.inputShape.length !== 0 && spec.inputShape.length !== 3) {
      throw invalidArgument(`model.inline.spec.input_shape: must be empty or [height, width, channels], got ${spec.inputShape.length} dimensions`);
    }
    spec.inputShape.forEach((dim, i) => checkInteger(dim, `model.inline.spec.input_shape[${i}]`, 1, i === 2 ? MODEL_LIMITS.maxChannels : MODEL_LIMITS.maxSide));
    const elements = spec.inputShape.reduce((a, b) => a * b, 1);
    if (elements > MODEL_LIMITS.maxInputElements) {
      throw invalidArgument(`model.inline.spec.input_shape: [${spec.inputShape.join(', ')}] has ${elements} values per image, more than ${MODEL_LIMITS.maxInputElements}`);
    }
  }
  checkCount(model.weights.length, 'model.inline.weights', MODEL_LIMITS.maxWeights);
  model.weights.forEach((weight, i) => {
    checkString(weight.name, `model.inline.weights[${i}].name`, MODEL_LIMITS.nameChars);
    if (!weight.tensor) return;
    try {
      tensorMessageValues(weight.tensor, { name: `model.inline.weights[${i}] ("${truncateForMessage(weight.name)}")`, rejectNonFinite: true });
    } catch (error) {
      if (error instanceof TensorError) throw invalidArgument(error.message);
      throw error;
    }
  });
}
