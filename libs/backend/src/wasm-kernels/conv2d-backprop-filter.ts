import {
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  Slice,
  Transpose,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { filterGradientByPatches } from './filter-gradient-by-patches';
import { disposeAll, runWasmKernel } from './wasm-kernel-utils';

/**
 * dW[i,j,c,o] = Σ_{b,y,x} X[b, y·s + i − padTop, x·s + j − padLeft, c] · dY[b,y,x,o]
 * is itself a convolution: over the batch axis as "channels", with dY as the filter and the
 * forward stride as dilation. So it runs on the wasm backend's optimised (XNNPACK) Conv2D:
 *   conv2d(X as [C, H, W, B], dY as [outH, outW, B, O], stride 1, dilation s) → [C, fh, fw, O].
 */
function conv2DBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  if (format !== 'channelsLast') {
    throw new Error(`wasm Conv2DBackpropFilter supports only NHWC, got dataFormat ${dataFormat}`);
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    format,
  );
  // Few input channels (first layers): the dilated conv below has only fh·fw·C output pixels and
  // pays for transposing and repacking all of dY; patches + one matmul measured 2–3× faster there.
  if (info.inChannels <= 3) return filterGradientByPatches(x, dy, info, backend);
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const [, inH, inW] = x.shape;
  const { top, left } = info.padInfo;
  // Rows/cols of the (padded) input the forward conv actually read; the rest must not be seen.
  const usedH = (info.outHeight - 1) * sh + fh;
  const usedW = (info.outWidth - 1) * sw + fw;
  let bottom = usedH - inH - top;
  let right = usedW - inW - left;

  const temps: TensorInfo[] = [];
  let source = x;
  if (bottom < 0 || right < 0) {
    source = runWasmKernel(Slice, backend, { x }, {
      begin: [0, 0, 0, 0],
      size: [x.shape[0], inH + Math.min(bottom, 0), inW + Math.min(right, 0), x.shape[3]],
    });
    temps.push(source);
    bottom = Math.max(bottom, 0);
    right = Math.max(right, 0);
  }
  const xT = runWasmKernel(Transpose, backend, { x: source }, { perm: [3, 1, 2, 0] });
  const dyT = runWasmKernel(Transpose, backend, { x: dy }, { perm: [1, 2, 0, 3] });
  temps.push(xT, dyT);
  const dwT = runWasmKernel(Conv2D, backend, { x: xT, filter: dyT }, {
    strides: [1, 1],
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [sh, sw],
    dimRoundingMode: undefined,
  } as unknown as NamedAttrMap);
  temps.push(dwT);
  const dw = runWasmKernel(Transpose, backend, { x: dwT }, { perm: [1, 2, 0, 3] });
  disposeAll(backend, temps);
  return dw;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
