export { batchesOf, disposeBatch, type Batch } from './batch';
export { createOptimizer, optimizerName, DEFAULT_LEARNING_RATE, type OptimizerName } from './optimizer';
export { saveOptimizerState, restoreOptimizerState, type OptimizerSlot } from './optimizer-state';
export { trainEpoch, type EpochResult, type BatchProgress, type TrainEpochOptions } from './train-epoch';
export { evaluateAccuracy, type Evaluation } from './evaluate-accuracy';
export { mixAdversarial, type AdversarialMixing } from './adversarial-mixing';
export { attackMixing } from './attack-mixing';
