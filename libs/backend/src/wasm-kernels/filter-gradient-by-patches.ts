import { backend_util, BatchMatMul, Transpose, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { disposeAll, heapF32, runWasmKernel } from './wasm-kernel-utils';

/**
 * dW[i,j,c,o] = Σ_{b,y,x} X[b, y·s + i − padTop, x·s + j − padLeft, c] · dY[b,y,x,o], i.e. with
 * the input patches laid out transposed, Pᵀ [fh·fw·C, B·outH·outW], dW = Pᵀ · dY, where dY
 * [B·outH·outW, O] is already in memory as is and the product is already dW's layout: one
 * BatchMatMul on the wasm backend's XNNPACK path, no transposes of dY or of the result.
 */
export function filterGradientByPatches(x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo, backend: BackendWasm): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const { top, left } = info.padInfo;
  const pixels = batchSize * outHeight * outWidth;
  const rows = fh * fw * inChannels;

  // Channels first ([C, B, H, W], one native transpose) so the gather below reads along rows.
  const source = inChannels > 1 ? runWasmKernel(Transpose, backend, { x }, { perm: [3, 0, 1, 2] }) : x;
  const patches = backend.makeOutput([1, rows, pixels], 'float32');
  // Heap views only now: the allocations above may have grown the heap.
  transposedPatches(heapF32(backend, source), heapF32(backend, patches), batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, fh, fw, sh, sw, top, left);
  if (source !== x) disposeAll(backend, [source]);
  const dyAsMatrix: TensorInfo = { dataId: dy.dataId, shape: [1, pixels, outChannels], dtype: 'float32' };
  const product = runWasmKernel(BatchMatMul, backend, { a: patches, b: dyAsMatrix }, { transposeA: false, transposeB: false } as unknown as NamedAttrMap);
  disposeAll(backend, [patches]);
  return { dataId: product.dataId, shape: [fh, fw, inChannels, outChannels], dtype: 'float32' };
}

/** out[(i·fw + j)·C + c, (b·outH + y)·outW + x] = X[b, y·sh + i − top, x·sw + j − left, c], 0 outside; `x` is [C, B, H, W]. */
function transposedPatches(
  x: Float32Array,
  out: Float32Array,
  batch: number,
  inH: number,
  inW: number,
  channels: number,
  outH: number,
  outW: number,
  fh: number,
  fw: number,
  sh: number,
  sw: number,
  top: number,
  left: number,
): void {
  let p = 0;
  const plane = batch * inH * inW;
  for (let i = 0; i < fh; i++) {
    for (let j = 0; j < fw; j++) {
      // Output columns whose input column is inside the image: x in [x0, x1).
      const x0 = Math.min(outW, Math.max(0, Math.ceil((left - j) / sw)));
      const x1 = Math.max(x0, Math.min(outW, Math.floor((inW - 1 + left - j) / sw) + 1));
      for (let c = 0; c < channels; c++) {
        for (let b = 0; b < batch; b++) {
          for (let y = 0; y < outH; y++) {
            const iy = y * sh + i - top;
            if (iy < 0 || iy >= inH) {
              out.fill(0, p, p + outW);
              p += outW;
              continue;
            }
            let xx = 0;
            for (; xx < x0; xx++) out[p++] = 0;
            let s = c * plane + (b * inH + iy) * inW + (x0 * sw + j - left);
            for (; xx < x1; xx++, s += sw) out[p++] = x[s];
            for (; xx < outW; xx++) out[p++] = 0;
          }
        }
      }
    }
  }
}
