import { backend_util, MaxPoolGrad, type KernelConfig, type KernelFunc, type MaxPoolGradAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32 } from './wasm-kernel-utils';

/**
 * Max-pool gradient in one pass over the pooling windows: each window's dY goes to the first
 * strict maximum of its input (row-major), exactly as the cpu backend decides ties (ReLU outputs
 * are often all-zero windows). Replaces the wasm backend's per-input-pixel search.
 */
function maxPoolGrad(args: { inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo }; backend: BackendWasm; attrs: MaxPoolGradAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, input } = inputs;
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const { top, left } = info.padInfo;

  const out = backend.makeOutput(input.shape, 'float32');
  const dx = heapF32(backend, out);
  const x = heapF32(backend, input);
  const g = heapF32(backend, dy);
  dx.fill(0);
  const best = new Int32Array(channels);
  const bestValue = new Float32Array(channels);
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = Math.max(0, oy * strideHeight - top);
      const y1 = Math.min(inHeight, oy * strideHeight - top + fh);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = Math.max(0, ox * strideWidth - left);
        const x1 = Math.min(inWidth, ox * strideWidth - left + fw);
        best.fill(-1);
        bestValue.fill(-Infinity);
        for (let y = y0; y < y1; y++) {
          for (let xx = x0; xx < x1; xx++) {
            const base = ((b * inHeight + y) * inWidth + xx) * channels;
            for (let c = 0; c < channels; c++) {
              const v = x[base + c];
              if (v > bestValue[c]) {
                bestValue[c] = v;
                best[c] = base + c;
              }
            }
          }
        }
        const gBase = ((b * outHeight + oy) * outWidth + ox) * channels;
        for (let c = 0; c < channels; c++) {
          if (best[c] >= 0) dx[best[c]] += g[gBase + c];
        }
      }
    }
  }
  return out;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
