import {
  backend_util,
  Conv2D,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, runKernelParts, threadRanges } from './simd-module';
import { disposeAll, heapF32, runWasmKernel } from './wasm-kernel-utils';

/** Input channels up to which the direct SIMD kernel beats a transposed conv with that few outputs (an image's 1 or 3). */
const maxDirectInChannels = 4;

/**
 * dX = the transposed convolution of dY, which is a plain convolution: dY (with s−1 zeros inserted
 * between its pixels when the stride s > 1) convolved with the filter flipped in space and with
 * its in/out channels swapped, padded by (filter − 1 − forward padding). Run by the wasm Conv2D
 * kernel (our SIMD convolution, conv2d.ts), it replaces tfjs-backend-wasm's direct loop, which
 * dominated training time.
 * With few input channels that conv has few outputs, which XNNPACK runs poorly: there a SIMD kernel
 * sums dY · W straight into each dX cell (assembly/conv-input-gradient.ts).
 */
function conv2DBackpropInput(
  args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: Conv2DBackpropInputAttrs },
  original: KernelFunc,
): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const { inputShape, strides, pad, dataFormat, dimRoundingMode } = attrs;
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  const info = backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, format);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight: sh, strideWidth: sw } = info;
  const { filterHeight: fh, filterWidth: fw } = info;
  const dilatedH = (outHeight - 1) * sh + 1;
  const dilatedW = (outWidth - 1) * sw + 1;
  const padTop = fh - 1 - info.padInfo.top;
  const padLeft = fw - 1 - info.padInfo.left;
  const padBottom = inHeight - dilatedH + fh - 1 - padTop;
  const padRight = inWidth - dilatedW + fw - 1 - padLeft;
  if (format !== 'channelsLast' || Math.min(padTop, padLeft, padBottom, padRight) < 0) {
    return original(args as never) as TensorInfo; // shapes our models never use
  }
  if (inChannels <= maxDirectInChannels) {
    const dx = backend.makeOutput([batchSize, inHeight, inWidth, inChannels], 'float32');
    const ranges = threadRanges(batchSize, batchSize * outHeight * outWidth * outChannels * fh * fw * inChannels);
    // Scratch per part (the kernel writes both): the rearranged filter and the column table.
    const scratch = ranges.map(() => [backend.makeOutput([fh * fw * inChannels * outChannels], 'float32'), backend.makeOutput([3 * inWidth], 'int32')]);
    const offset = (t: TensorInfo) => heapOffset(backend, t);
    const dyImage = outHeight * outWidth * outChannels * 4;
    const dxImage = inHeight * inWidth * inChannels * 4;
    runKernelParts(backend, 'convInputGradient', ranges.map(([first, end], k) => [
      offset(dy) + first * dyImage, offset(filter), offset(dx) + first * dxImage, offset(scratch[k][0]), offset(scratch[k][1]),
      end - first, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels,
      fh, fw, sh, sw, info.padInfo.top, info.padInfo.left,
    ]));
    disposeAll(backend, scratch.flat());
    return dx;
  }

  const temps: TensorInfo[] = [];
  const flipped = backend.makeOutput([fh, fw, outChannels, inChannels], 'float32');
  temps.push(flipped);
  let source = dy;
  if (sh > 1 || sw > 1) {
    source = backend.makeOutput([batchSize, dilatedH, dilatedW, outChannels], 'float32');
    temps.push(source);
  }
  // Heap views only now: the allocations above may have grown the heap.
  const w = heapF32(backend, filter);
  const wf = heapF32(backend, flipped);
  for (let i = 0; i < fh; i++) {
    for (let j = 0; j < fw; j++) {
      const from = ((fh - 1 - i) * fw + (fw - 1 - j)) * inChannels * outChannels;
      const to = (i * fw + j) * outChannels * inChannels;
      for (let c = 0; c < inChannels; c++) {
        for (let o = 0; o < outChannels; o++) wf[to + o * inChannels + c] = w[from + c * outChannels + o];
      }
    }
  }
  if (source !== dy) spreadByStride(heapF32(backend, dy), heapF32(backend, source), batchSize, outHeight, outWidth, outChannels, sh, sw);

  const dx = runWasmKernel(Conv2D, backend, { x: source, filter: flipped }, {
    strides: [1, 1],
    pad: [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [1, 1],
    dimRoundingMode: undefined,
  } as unknown as NamedAttrMap);
  disposeAll(backend, temps);
  return dx;
}

/** dy[b, y, x, :] → out[b, y·sh, x·sw, :], zeros elsewhere. */
function spreadByStride(dy: Float32Array, out: Float32Array, batch: number, h: number, w: number, c: number, sh: number, sw: number): void {
  out.fill(0);
  const outW = (w - 1) * sw + 1;
  const outH = (h - 1) * sh + 1;
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const from = ((b * h + y) * w + x) * c;
        const to = ((b * outH + y * sh) * outW + x * sw) * c;
        out.set(dy.subarray(from, from + c), to);
      }
    }
  }
}

export function conv2DBackpropInputConfig(original: KernelConfig): KernelConfig {
  return {
    kernelName: Conv2DBackpropInput,
    backendName: 'wasm',
    setupFunc: original.setupFunc,
    kernelFunc: ((args: never) => conv2DBackpropInput(args, original.kernelFunc)) as KernelFunc,
  };
}
