import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '@conjugate/backend';
import { fusedConv2d, fusedMatMul, type FusedActivation } from './fused-ops';

// The fused layers against the same layer as separate ops (op + Add + Relu): values and every
// gradient, on the chosen backend (wasm here) and on cpu.
let chosen: string;
beforeAll(async () => {
  await initBackend();
  chosen = tf.getBackend();
});
afterEach(async () => {
  await tf.setBackend(chosen);
});

const random = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

function maxRelativeError(actual: tf.Tensor[], expected: tf.Tensor[]): number {
  return Math.max(
    ...actual.map((t, i) => {
      const scale = Math.max(tf.max(tf.abs(expected[i])).dataSync()[0], 1e-12);
      return tf.max(tf.abs(tf.sub(t, expected[i]))).dataSync()[0] / scale;
    }),
  );
}

/** Value and gradients (w.r.t. every input) of sum(f · r), with r fixed weights. */
function valueAndGrads(f: (...inputs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): tf.Tensor[] {
  const y = f(...inputs);
  const r = random(y.shape, 99);
  return [y, ...tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), r)))(inputs)];
}

const activate = (y: tf.Tensor, activation: FusedActivation) => (activation === 'relu' ? tf.relu(y) : y);
describe.each(['the chosen backend', 'cpu'])('on %s', (backend) => {
  beforeEach(async () => {
    await tf.setBackend(backend === 'cpu' ? 'cpu' : chosen);
  });

  test.each([
    { x: [2, 9, 9, 3], f: [3, 3, 3, 8], stride: 1, pad: 'valid', activation: 'relu' },
    { x: [2, 8, 8, 16], f: [3, 3, 16, 8], stride: 1, pad: 'same', activation: 'relu' },
    { x: [3, 9, 9, 4], f: [3, 3, 4, 8], stride: 2, pad: 'same', activation: 'linear' },
    { x: [2, 8, 8, 4], f: [1, 1, 4, 8], stride: 2, pad: 'same', activation: 'linear' },
  ] as const)('conv2d x $x filter $f stride $stride $pad $activation equals conv + add + activation', ({ x, f, stride, pad, activation }) => {
    tf.tidy(() => {
      const inputs = [random([...x], 1), random([...f], 2), random([f[3]], 3)];
      const fused = valueAndGrads((a, w, b) => fusedConv2d(a as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, stride, pad, activation), inputs);
      const separate = valueAndGrads((a, w, b) => activate(tf.add(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, stride, pad), b), activation), inputs);
      expect(maxRelativeError(fused, separate)).toBeLessThanOrEqual(1e-5);
    });
  });

  test.each(['relu', 'linear'] as const)('matMul %s equals matMul + add + activation', (activation) => {
    tf.tidy(() => {
      const inputs = [random([16, 40], 4), random([40, 12], 5), random([12], 6)];
      const fused = valueAndGrads((a, w, b) => fusedMatMul(a as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, activation), inputs);
      const separate = valueAndGrads((a, w, b) => activate(tf.add(tf.matMul(a, w), b), activation), inputs);
      expect(maxRelativeError(fused, separate)).toBeLessThanOrEqual(1e-5);
    });
  });
});

test('an input gradient runs no weight-gradient kernel', async () => {
  const x = random([2, 8, 8, 3], 1);
  const [w1, b1, w2, b2] = [random([3, 3, 3, 4], 2), random([4], 3), random([36, 5], 4), random([5], 5)];
  const loss = (images: tf.Tensor) => {
    const h = fusedConv2d(images as tf.Tensor4D, w1 as tf.Tensor4D, b1 as tf.Tensor1D, 2, 'valid', 'relu');
    return tf.sum(fusedMatMul(tf.reshape(h, [2, 36]), w2 as tf.Tensor2D, b2 as tf.Tensor1D, 'relu'));
  };
  const profile = await tf.profile(() => {
    tf.dispose(tf.grad(loss)(x));
  });
  const kernels = profile.kernels.map((k) => k.name);
  expect(kernels).toContain('Conv2DBackpropInput');
  expect(kernels).not.toContain('Conv2DBackpropFilter');
  // One matmul for dX of the dense layer, none for its weights; one Sum (the loss), no bias gradients.
  expect(kernels.filter((k) => k === 'BatchMatMul')).toHaveLength(1);
  expect(kernels.filter((k) => k === 'Sum')).toHaveLength(1);
  tf.dispose([x, w1, b1, w2, b2]);
});
