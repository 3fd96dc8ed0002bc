import { BatchMatMul, broadcast_util, Transpose, util, type BatchMatMulAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { disposeAll, runWasmKernel } from './wasm-kernel-utils';

type Args = { inputs: { a: TensorInfo; b: TensorInfo }; backend: BackendWasm; attrs: BatchMatMulAttrs };

/**
 * tfjs-backend-wasm 4.22 multiplies one pair of matrices on XNNPACK only when neither is
 * transposed; with a transpose it runs a plain loop, 4–40× slower — and a dense layer's gradients
 * are exactly dX = dY·Wᵀ and dW = Xᵀ·dY. Here the transposed operands are transposed first (the
 * wasm Transpose kernel), then the untransposed XNNPACK product runs. Batched products (more than
 * one matrix pair) stay on the original kernel: it loops either way.
 */
function batchMatMul(args: Args, original: KernelFunc): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs;
  const pairs = (t: TensorInfo) => util.sizeFromShape(t.shape.slice(0, -2));
  if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32' || pairs(a) !== 1 || pairs(b) !== 1) {
    return original(args as never) as TensorInfo;
  }

  const matrixA = matrixView(a);
  const matrixB = matrixView(b);
  const [m, n] = [matrixA.shape[transposeA ? 1 : 0], matrixB.shape[transposeB ? 0 : 1]];
  if (matrixA.shape[transposeA ? 0 : 1] !== matrixB.shape[transposeB ? 1 : 0]) return original(args as never) as TensorInfo; // its error message
  const outShape = [...broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), m, n];
  const temps: TensorInfo[] = [];
  const transposed = (t: TensorInfo) => {
    const copy = runWasmKernel(Transpose, backend, { x: t }, { perm: [1, 0] });
    temps.push(copy);
    return copy;
  };
  const product = (x: TensorInfo, y: TensorInfo) => original({ inputs: { a: x, b: y }, backend, attrs: { transposeA: false, transposeB: false } } as never) as TensorInfo;

  // Elements each plan copies: transposes, plus XNNPACK packing the right-hand operand (a fresh
  // tensor every call), weighted twice as it measured about twice a transpose per element. So
  // dX = dY·Wᵀ transposes the small CNN's W [800, 10] but computes (W·dYᵀ)ᵀ for cnn4's [4096, 256].
  const sizeA = util.sizeFromShape(a.shape);
  const sizeB = util.sizeFromShape(b.shape);
  const operandsFirst = (transposeA ? sizeA : 0) + (transposeB ? sizeB : 0) + 2 * sizeB;
  const resultAfter = (transposeA ? 0 : sizeA) + (transposeB ? 0 : sizeB) + m * n + 2 * sizeA;
  let out: TensorInfo;
  if (operandsFirst <= resultAfter) {
    out = product(transposeA ? transposed(matrixA) : matrixA, transposeB ? transposed(matrixB) : matrixB);
  } else {
    // C = (Bᵀ·Aᵀ)ᵀ: a transposed operand is used as stored, the rest (and the result) transposed.
    const resultT = product(transposeB ? matrixB : transposed(matrixB), transposeA ? matrixA : transposed(matrixA));
    out = runWasmKernel(Transpose, backend, { x: resultT }, { perm: [1, 0] });
    temps.push(resultT);
  }
  disposeAll(backend, temps);
  out.shape = outShape;
  return out;
}

/** The last two dimensions of a tensor holding one matrix: a view, no copy. */
function matrixView(t: TensorInfo): TensorInfo {
  return { dataId: t.dataId, dtype: t.dtype, shape: t.shape.slice(-2) };
}

export function batchMatMulConfig(original: KernelConfig): KernelConfig {
  return {
    kernelName: BatchMatMul,
    backendName: 'wasm',
    kernelFunc: ((args: never) => batchMatMul(args, original.kernelFunc)) as KernelFunc,
  };
}
