import { conv2d, dense, flatten, maxPool2, sequence } from '../layers';
import type { Architecture } from '../network';
import { requireAtLeast } from './shape-rules';

/**
 * tiny — for fast tests, any image ≥ 4×4: conv1 (8 filters 3×3, ReLU) + 2×2 max-pool, then a linear
 * head to the classes. 28×28×1 → 13·13·8 = 1352 features; trains to ~90% on MNIST in a few hundred steps.
 */
export const tiny: Architecture = {
  name: 'tiny',
  rejectInputShape: requireAtLeast(4),
  build({ inputShape: [h, w, c], numClasses }, p) {
    const features = Math.floor((h - 2) / 2) * Math.floor((w - 2) / 2) * 8;
    return {
      stages: [
        { name: 'block1', forward: sequence(conv2d(p, 'conv1', { filters: 8, kernel: 3, inChannels: c }), maxPool2) },
        { name: 'logits', forward: sequence(flatten, dense(p, 'logits', features, numClasses, false)) },
      ],
      defaultFeatureStage: 'block1',
    };
  },
};
