import { conv2d, dense, flatten, maxPool2, sequence } from '../layers';
import type { Architecture } from '../network';
import { requireShape } from './shape-rules';

/**
 * cnn3 — the paper's MNIST network, 28×28×1. Three convolutional layers (conv1..conv3, 3×3, valid):
 *   conv1 32 + pool → 13×13×32, conv2 64 + pool → 5×5×64, conv3 64 → 3×3×64 (= 576 features),
 * then the head: fc1 (64, ReLU) and the logits.
 */
export const cnn3: Architecture = {
  name: 'cnn3',
  defaultInputShape: [28, 28, 1],
  rejectInputShape: requireShape([28, 28, 1]),
  build({ inputShape: [, , c], numClasses }, p) {
    return {
      stages: [
        { name: 'block1', forward: sequence(conv2d(p, 'conv1', { filters: 32, kernel: 3, inChannels: c }), maxPool2) },
        { name: 'block2', forward: sequence(conv2d(p, 'conv2', { filters: 64, kernel: 3, inChannels: 32 }), maxPool2) },
        { name: 'block3', forward: conv2d(p, 'conv3', { filters: 64, kernel: 3, inChannels: 64 }) },
        { name: 'fc1', forward: sequence(flatten, dense(p, 'fc1', 3 * 3 * 64, 64, true)) },
        { name: 'logits', forward: dense(p, 'logits', 64, numClasses, false) },
      ],
      defaultFeatureStage: 'block3',
    };
  },
};
