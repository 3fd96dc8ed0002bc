import { MAX_ATTACK_STEPS, MAX_L2_BUDGET } from '@conjugate/attacks';
import { LAYERS_LIMITS } from '@conjugate/models';
import { contractLimits } from '@conjugate/service-kit';
import { LARGEST_SPLIT } from './attack-cost';
import { MAX_DATASET_NAME_CHARS, MAX_EVALUATION_BATCH, MAX_ROBUSTNESS_SHARDS } from './evaluate-robustness';

// The (conjugate.v1.limits) options of the messages this service checks equal the constants that check
// them (libs/service-kit's contract-limits test makes sure every annotated field has such a test).
describe('attack.proto limits = the constants that enforce them', () => {
  it('AttackSpec (libs/attacks resolveAttackSpec)', () => {
    expect(contractLimits(['AttackSpec'])).toEqual({
      // The L2 bound: it holds for either norm (L-infinity is tighter, 1, and stays in the comment).
      'AttackSpec.epsilon': { min: 0, max: MAX_L2_BUDGET, finite: true },
      'AttackSpec.step_size': { min: 0, max: MAX_L2_BUDGET, finite: true },
      'AttackSpec.steps': { min: 0, max: MAX_ATTACK_STEPS },
    });
  });

  it('EvaluateRobustnessRequest (sliceOf)', () => {
    expect(contractLimits(['EvaluateRobustnessRequest'])).toEqual({
      'EvaluateRobustnessRequest.dataset': { max_length: MAX_DATASET_NAME_CHARS },
      'EvaluateRobustnessRequest.offset': { min: 0 },
      'EvaluateRobustnessRequest.limit': { min: 0 },
      'EvaluateRobustnessRequest.indices': { max_items: LARGEST_SPLIT },
      'EvaluateRobustnessRequest.batch_size': { min: 0, max: MAX_EVALUATION_BATCH },
      // < shard_count: not a constant, in the comment only.
      'EvaluateRobustnessRequest.shard_index': { min: 0 },
      'EvaluateRobustnessRequest.shard_count': { min: 0, max: MAX_ROBUSTNESS_SHARDS },
    });
  });

  it('SpaceScale (featureScaleOf: both stds finite and > 0)', () => {
    expect(contractLimits(['SpaceScale'])).toEqual({
      'SpaceScale.pixel_std': { min: 0, exclusive_min: true, finite: true },
      'SpaceScale.feature_std': { min: 0, exclusive_min: true, finite: true },
    });
  });

  it('LayersTopology (libs/models parseTopologyJson)', () => {
    expect(contractLimits(['LayersTopology'])).toEqual({
      'LayersTopology.model_topology_json': { max_bytes: LAYERS_LIMITS.maxTopologyBytes },
    });
  });
});
