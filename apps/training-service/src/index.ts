export { startTrainingService, DEFAULT_RUNS_DIR, type TrainingServiceOptions, type TrainingServiceHandle } from './training-service';
export type { EpochEvaluator, EpochContext, EpochMeasurements } from '@conjugate/evaluation';
export { RunManager } from './run-manager';
export { InProcessRobustness } from './in-process-robustness';
export { trainingDataFrom, type TrainingData } from './data-source';
