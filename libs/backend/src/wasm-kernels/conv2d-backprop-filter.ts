import { backend_util, Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, runKernelParts, threadRanges } from './simd-module';

/**
 * dW[i,j,c,o] = Σ_{b,y,x} X[b, y·s + i − padTop, x·s + j − padLeft, c] · dY[b,y,x,o], which
 * tfjs-backend-wasm lacks, as a SIMD kernel (assembly/conv-filter-gradient.ts) reading X and dY
 * where they are: no transposes, no patches matrix, no repacking of dY.
 */
function conv2DBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: BackendWasm; attrs: Conv2DBackpropFilterAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  if (format !== 'channelsLast') {
    throw new Error(`wasm Conv2DBackpropFilter supports only NHWC, got dataFormat ${dataFormat}`);
  }
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, format);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const dw = backend.makeOutput(filterShape, 'float32');
  // Channels in pairs split over the kernel threads: each dW row summed as in one call.
  const work = batchSize * outHeight * outWidth * outChannels * filterHeight * filterWidth * inChannels;
  runKernelParts(backend, 'convFilterGradient', threadRanges(inChannels, work, 2).map(([first, end]) => [
    heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, dw),
    batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels,
    filterHeight, filterWidth, strideHeight, strideWidth, info.padInfo.top, info.padInfo.left, first, end,
  ]));
  return dw;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
