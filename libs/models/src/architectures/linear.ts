import { dense, flatten } from '../layers';
import type { Architecture } from '../network';
import { requireAtLeast } from './shape-rules';

/**
 * linear — softmax regression on the flattened pixels: features are the input itself (g = flatten),
 * the head is one dense layer. FGSM and the estimators have closed forms here, so oracle tests use it.
 */
export const linear: Architecture = {
  name: 'linear',
  rejectInputShape: requireAtLeast(1),
  build({ inputShape: [h, w, c], numClasses }, p) {
    return {
      stages: [
        { name: 'input', forward: flatten },
        { name: 'logits', forward: dense(p, 'logits', h * w * c, numClasses, false) },
      ],
      defaultFeatureStage: 'input',
    };
  },
};
