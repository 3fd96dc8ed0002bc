import { backend_util, MaxPool, type KernelConfig, type KernelFunc, type MaxPoolAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, runKernelParts, threadRanges } from './simd-module';

/**
 * The models' 2×2/2 valid max-pools as a SIMD kernel (assembly/max-pool.ts), measured ~3× faster
 * than the backend's XNNPACK pooling at these sizes; other pools go to the original kernel.
 */
function maxPool(args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: MaxPoolAttrs }, original: KernelFunc): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const info = backend_util.computePool2DInfo(x.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const pool2x2 = info.filterHeight === 2 && info.filterWidth === 2 && info.strideHeight === 2 && info.strideWidth === 2;
  // Every window inside the image: no padding on any side.
  const unpadded = info.outHeight * 2 <= info.inHeight && info.outWidth * 2 <= info.inWidth && info.padInfo.top === 0 && info.padInfo.left === 0;
  if (!pool2x2 || !unpadded || info.dataFormat !== 'channelsLast' || x.dtype !== 'float32') {
    return original(args as never) as TensorInfo;
  }
  const y = backend.makeOutput(info.outShape, 'float32');
  const { batchSize, inHeight, inWidth, outHeight, outWidth, inChannels } = info;
  const inImage = inHeight * inWidth * inChannels * 4;
  const outImage = outHeight * outWidth * inChannels * 4;
  runKernelParts(backend, 'maxPool2x2', threadRanges(batchSize, batchSize * inHeight * inWidth * inChannels).map(([first, end]) => [
    heapOffset(backend, x) + first * inImage, heapOffset(backend, y) + first * outImage, end - first, inHeight, inWidth, outHeight, outWidth, inChannels,
  ]));
  return y;
}

export const maxPoolConfig = (original: KernelConfig): KernelConfig => ({
  kernelName: MaxPool,
  backendName: 'wasm',
  kernelFunc: ((args: never) => maxPool(args, original.kernelFunc)) as KernelFunc,
});
