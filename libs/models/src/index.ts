export type { Classifier, ClassifierSpec } from './classifier';
export { createClassifier, resolveModelSpec, DEFAULT_NUM_CLASSES, type ModelSpecInput, type TrainableClassifier } from './create-classifier';
export { toModelMessage, fromModelMessage, loadWeights, type Provenance } from './model-message';
export { ModelSpecError } from './model-spec-error';
export { architectures } from './architectures';
export { fusedConv2d, fusedMatMul, type FusedActivation } from './fused-ops';
