import { getGradient } from '@tensorflow/tfjs-core';

/**
 * tfjs-core's CommonJS bundle (what Node and Jest load) registers no gradients: the union package
 * @tensorflow/tfjs normally does it from an ES module. tfjs-layers' CommonJS bundle registers all of
 * core's gradients into the same global registry, so loading it makes tf.grad work with tfjs-core alone.
 */
export function registerAllGradients(): void {
  if (getGradient('Conv2D') !== undefined) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('@tensorflow/tfjs-layers');
  if (getGradient('Conv2D') === undefined) {
    throw new Error('gradients missing after loading @tensorflow/tfjs-layers: is it the same tfjs-core instance?');
  }
}
