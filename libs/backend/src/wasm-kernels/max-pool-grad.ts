import { backend_util, MaxPoolGrad, type KernelConfig, type KernelFunc, type MaxPoolGradAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, runKernelParts, threadRanges } from './simd-module';
import { heapF32 } from './wasm-kernel-utils';

/**
 * Max-pool gradient in one pass over the pooling windows: each window's dY goes to the first
 * strict maximum of its input (row-major), exactly as the cpu backend decides ties (ReLU outputs
 * are often all-zero windows). Replaces the wasm backend's per-input-pixel search; the models'
 * 2×2/2 pools run as a SIMD kernel (assembly/max-pool-grad.ts), other windows here.
 */
function maxPoolGrad(args: { inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo }; backend: BackendWasm; attrs: MaxPoolGradAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, input, output } = inputs;
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const { top, left } = info.padInfo;

  const out = backend.makeOutput(input.shape, 'float32');
  if (fh === 2 && fw === 2 && strideHeight === 2 && strideWidth === 2 && top === 0 && left === 0 && outHeight * 2 <= inHeight && outWidth * 2 <= inWidth) {
    const offset = (t: TensorInfo) => heapOffset(backend, t);
    const inImage = inHeight * inWidth * channels * 4;
    const outImage = outHeight * outWidth * channels * 4;
    runKernelParts(backend, 'maxPool2x2Grad', threadRanges(batchSize, batchSize * inHeight * inWidth * channels).map(([first, end]) => [
      offset(input) + first * inImage, offset(output) + first * outImage, offset(dy) + first * outImage, offset(out) + first * inImage,
      end - first, inHeight, inWidth, outHeight, outWidth, channels,
    ]));
    return out;
  }
  const dx = heapF32(backend, out);
  const x = heapF32(backend, input);
  const g = heapF32(backend, dy);
  dx.fill(0);
  const rowStride = inWidth * channels;
  for (let b = 0; b < batchSize; b++) {
    const image = b * inHeight * rowStride;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = Math.max(0, oy * strideHeight - top);
      const y1 = Math.min(inHeight, oy * strideHeight - top + fh);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = Math.max(0, ox * strideWidth - left);
        const x1 = Math.min(inWidth, ox * strideWidth - left + fw);
        const gBase = ((b * outHeight + oy) * outWidth + ox) * channels;
        // Channel by channel, the window in plain locals: no per-window scratch arrays to reset.
        for (let c = 0; c < channels; c++) {
          let best = -1;
          let bestValue = -Infinity;
          for (let y = y0; y < y1; y++) {
            let i = image + y * rowStride + x0 * channels + c;
            for (let xx = x0; xx < x1; xx++, i += channels) {
              const v = x[i];
              if (v > bestValue) {
                bestValue = v;
                best = i;
              }
            }
          }
          if (best >= 0) dx[best] += g[gBase + c];
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
