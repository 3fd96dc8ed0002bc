import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../init-backend';
import { expectNoLeaks, onBackend, relativeError, seededValues } from '../test-support';

// Our wasm BatchMatMul (a transposed operand transposed first, then XNNPACK's untransposed
// product, or the product of the transposes transposed back) against the cpu backend: every
// transpose combination, batched (rank-3) products, and the dense layers of our models.
beforeAll(async () => {
  process.env.CONJUGATE_BACKEND = 'wasm';
  await initBackend();
});

const tensor = (shape: number[], seed: number) => tf.tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed), shape);

async function expectSameOnBothBackends(fn: () => tf.Tensor[]): Promise<void> {
  const cpu = await onBackend('cpu', fn);
  const wasm = await onBackend('wasm', fn);
  wasm.forEach((values, i) => expect(relativeError(values, cpu[i])).toBeLessThanOrEqual(1e-4));
}

type Case = { name: string; a: number[]; b: number[]; transposeA: boolean; transposeB: boolean };
const product = (name: string, a: number[], b: number[], transposeA: boolean, transposeB: boolean): Case => ({ name, a, b, transposeA, transposeB });

const cases: Case[] = [
  product('untransposed', [7, 5], [5, 3], false, false),
  product('transposeB', [7, 5], [3, 5], false, true),
  product('transposeA', [5, 7], [5, 3], true, false),
  product('both transposed', [5, 7], [3, 5], true, true),
  product('transposeB, long result (operands transposed)', [6, 2], [40, 2], false, true),
  product('transposeB, large operand (result transposed)', [4, 30], [200, 30], false, true),
  product('transposeA, one row', [5, 1], [5, 9], true, false),
  product('one pair as rank 3 (tf.fused.matMul, its gradients)', [1, 6, 4], [1, 5, 4], false, true),
  product('rank 3 against rank 2', [1, 4, 6], [4, 5], true, false),
  product('batched, transposeA', [3, 4, 6], [3, 4, 5], true, false),
  product('batched, transposeB', [3, 6, 4], [3, 5, 4], false, true),
  product('batched, broadcast left', [1, 6, 4], [3, 5, 4], false, true),
  product('rank 4 batch', [2, 2, 4, 6], [2, 2, 5, 4], true, true),
];

describe('wasm BatchMatMul equals the cpu backend (rel. err ≤ 1e-4)', () => {
  test.each(cases)('$name: $a × $b, transposeA $transposeA, transposeB $transposeB', async ({ a, b, transposeA, transposeB }) => {
    await expectSameOnBothBackends(() => [tf.matMul(tensor(a, 1), tensor(b, 2), transposeA, transposeB)]);
  });

  // A dense layer X [batch, in] · W [in, units]: its output and both gradients (dX = dY·Wᵀ, dW = Xᵀ·dY).
  // cnn4's fc1 runs at batch 16: the pure-JS cpu reference is slow.
  test.each([
    { name: 'small CNN dense', batch: 128, inputs: 800, units: 10 },
    { name: 'cnn3 fc1', batch: 128, inputs: 576, units: 64 },
    { name: 'cnn3 logits', batch: 128, inputs: 64, units: 10 },
    { name: 'cnn4 fc1', batch: 16, inputs: 4096, units: 256 },
    { name: 'cnn4 logits', batch: 128, inputs: 256, units: 10 },
  ])('$name: [$batch, $inputs] × [$inputs, $units] and its gradients', async ({ batch, inputs, units }) => {
    await expectSameOnBothBackends(() => {
      const x = tensor([batch, inputs], 3);
      const w = tensor([inputs, units], 4);
      const r = tensor([batch, units], 5);
      const y = tf.matMul(x, w);
      return [y, ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b), r)))([x, w])];
    });
  });

  test('mismatched inner dimensions fail as with the original kernel', () => {
    expect(() => tf.matMul(tensor([6, 40], 1), tensor([6, 3], 2), true, true)).toThrow(/inner shapes/);
  });

  test('leaves no tensors or wasm buffers behind', () => {
    const a = tensor([6, 40], 6);
    const b = tensor([6, 3], 7);
    const c = tensor([3, 6], 9);
    const w = tensor([300, 40], 8);
    const step = () => {
      tf.tidy(() => {
        tf.matMul(a, b, true, false);
        tf.matMul(a, w, false, true);
        tf.matMul(a, c, true, true);
      });
    };
    expectNoLeaks(step);
    tf.dispose([a, b, c, w]);
  });
});
