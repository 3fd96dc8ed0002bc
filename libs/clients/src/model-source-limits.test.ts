import { contractLimits } from '@conjugate/service-kit';
import { MODEL_LIMITS } from './model-source-limits';

// The (conjugate.v1.limits) options of model.proto equal MODEL_LIMITS, which checkModelSource enforces.
describe('model.proto limits = MODEL_LIMITS', () => {
  it('ModelSpec, Model, ModelRef', () => {
    expect(contractLimits(['ModelSpec', 'Model', 'ModelRef'])).toEqual({
      'ModelSpec.architecture': { max_length: MODEL_LIMITS.nameChars },
      // [h, w, c]: each in [1, maxSide]; channels ≤ maxChannels is tighter and stays in the comment.
      'ModelSpec.input_shape': { max_items: 3, min: 1, max: MODEL_LIMITS.maxSide },
      'ModelSpec.num_classes': { min: 0, max: MODEL_LIMITS.maxClasses },
      'ModelSpec.feature_layer': { max_length: MODEL_LIMITS.nameChars },
      'Model.weights': { max_items: MODEL_LIMITS.maxWeights },
      'Model.run_id': { max_length: MODEL_LIMITS.runIdChars },
      'ModelRef.run_id': { max_length: MODEL_LIMITS.runIdChars },
    });
  });
});
