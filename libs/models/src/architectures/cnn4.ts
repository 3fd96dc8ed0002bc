import { conv2d, dense, flatten, maxPool2, sequence } from '../layers';
import type { Architecture } from '../network';
import { requireShape } from './shape-rules';

/**
 * cnn4 — the paper's CIFAR-10 network, 32×32×3. Four convolutional layers (3×3, same padding) in two
 * blocks of two, max-pool after each: block1 32,32 → 16×16×32; block2 64,64 → 8×8×64 (= 4096 features);
 * then the head: fc1 (256, ReLU) and the logits.
 */
export const cnn4: Architecture = {
  name: 'cnn4',
  defaultInputShape: [32, 32, 3],
  rejectInputShape: requireShape([32, 32, 3]),
  build({ inputShape: [, , c], numClasses }, p) {
    const same = { kernel: 3, padding: 'same' as const };
    return {
      stages: [
        {
          name: 'block1',
          forward: sequence(
            conv2d(p, 'conv1', { ...same, filters: 32, inChannels: c }),
            conv2d(p, 'conv2', { ...same, filters: 32, inChannels: 32 }),
            maxPool2,
          ),
        },
        {
          name: 'block2',
          forward: sequence(
            conv2d(p, 'conv3', { ...same, filters: 64, inChannels: 32 }),
            conv2d(p, 'conv4', { ...same, filters: 64, inChannels: 64 }),
            maxPool2,
          ),
        },
        { name: 'fc1', forward: sequence(flatten, dense(p, 'fc1', 8 * 8 * 64, 256, true)) },
        { name: 'logits', forward: dense(p, 'logits', 256, numClasses, false) },
      ],
      defaultFeatureStage: 'block2',
    };
  },
};
