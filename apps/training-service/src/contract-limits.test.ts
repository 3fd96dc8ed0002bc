import { contractLimits } from '@conjugate/service-kit';
import {
  MAX_BATCH_SIZE, MAX_DATASET_NAME_LENGTH, MAX_EMBEDDING_EPOCHS, MAX_EMBEDDING_POINTS, MAX_EPOCHS, MAX_EVALUATION_POINTS, MAX_LEARNING_RATE, MAX_NAME_LENGTH,
} from './run-config';

// The (conjugate.v1.limits) options of training.proto equal the constants validateRunConfig enforces.
describe('training.proto limits = the constants of validateRunConfig', () => {
  it('RunConfig, EvaluationConfig, AdversarialTraining', () => {
    expect(contractLimits(['RunConfig', 'EvaluationConfig', 'AdversarialTraining'])).toEqual({
      'RunConfig.name': { max_length: MAX_NAME_LENGTH },
      'RunConfig.dataset': { max_length: MAX_DATASET_NAME_LENGTH },
      'RunConfig.preset': { max_length: MAX_DATASET_NAME_LENGTH },
      'RunConfig.epochs': { min: 1, max: MAX_EPOCHS },
      'RunConfig.batch_size': { min: 1, max: MAX_BATCH_SIZE },
      'RunConfig.learning_rate': { min: 0, exclusive_min: true, max: MAX_LEARNING_RATE, finite: true },
      'RunConfig.train_limit': { min: 0 },
      'EvaluationConfig.robust_points': { min: 0, max: MAX_EVALUATION_POINTS },
      'EvaluationConfig.ensemble_points': { min: -1, max: MAX_EVALUATION_POINTS },
      'EvaluationConfig.embedding_points': { min: 0, max: MAX_EMBEDDING_POINTS },
      'EvaluationConfig.embedding_epochs': { max_items: MAX_EMBEDDING_EPOCHS, min: 0, max: MAX_EPOCHS },
      'EvaluationConfig.test_limit': { min: 0, max: MAX_EVALUATION_POINTS },
      'AdversarialTraining.ratio': { min: 0, max: 1, finite: true },
    });
  });
});
