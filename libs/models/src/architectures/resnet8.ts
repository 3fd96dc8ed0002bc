import * as tf from '@tensorflow/tfjs-core';
import { conv2d, dense, globalAveragePool, type Forward } from '../layers';
import type { Architecture } from '../network';
import type { ParameterStore } from '../parameters';
import { requireShape } from './shape-rules';

/**
 * A basic residual block: relu(conv_b(conv_a(x)) + shortcut(x)), shortcut a strided 1×1 projection
 * when the shape changes. No batch norm: the classifier must stay a pure function of its input
 * (the same in training and in attacks); He initialisation and Adam train this depth fine.
 */
function basicBlock(p: ParameterStore, name: string, inChannels: number, filters: number, stride: number): Forward {
  const a = conv2d(p, `${name}/conv_a`, { filters, kernel: 3, inChannels, stride, padding: 'same' });
  const b = conv2d(p, `${name}/conv_b`, { filters, kernel: 3, inChannels: filters, padding: 'same', relu: false });
  const projection =
    stride !== 1 || inChannels !== filters
      ? conv2d(p, `${name}/projection`, { filters, kernel: 1, inChannels, stride, padding: 'same', relu: false })
      : (x: tf.Tensor) => x;
  return (x) => tf.tidy(() => tf.relu(tf.add(b(a(x)), projection(x))));
}

/**
 * resnet8 — 32×32×3. Eight weighted layers in the usual ResNet-(6n+2) count, n = 1:
 *   1 stem conv (16) + 3 stages × 1 basic block × 2 convs (16, 32 stride 2, 64 stride 2) = 7 convolutions
 *   + 1 dense layer = 8; plus two 1×1 projection convolutions on the shortcuts of stages 2 and 3
 *   (not counted, as usual). Features: the flattened output of stage 3, 8×8×64 = 4096; the head
 *   is global average pooling and the dense logits.
 */
export const resnet8: Architecture = {
  name: 'resnet8',
  defaultInputShape: [32, 32, 3],
  rejectInputShape: requireShape([32, 32, 3]),
  build({ inputShape: [, , c], numClasses }, p) {
    const logits = dense(p, 'logits', 64, numClasses, false);
    return {
      stages: [
        { name: 'stem', forward: conv2d(p, 'stem', { filters: 16, kernel: 3, inChannels: c, padding: 'same' }) },
        { name: 'stage1', forward: basicBlock(p, 'stage1', 16, 16, 1) },
        { name: 'stage2', forward: basicBlock(p, 'stage2', 16, 32, 2) },
        { name: 'stage3', forward: basicBlock(p, 'stage3', 32, 64, 2) },
        { name: 'logits', forward: (x) => tf.tidy(() => logits(globalAveragePool(x))) },
      ],
      defaultFeatureStage: 'stage3',
    };
  },
};
