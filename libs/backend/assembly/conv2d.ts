import { accumulateScaledRows } from './scaled-rows';

/**
 * A 2-D convolution over NHWC float32 tensors, with an optional per-channel bias and ReLU:
 *   y[b, oy, ox, o] = act(bias[o] + Σ_{i,j,c} x[b, oy·sh + i − top, ox·sw + j − left, c] · w[i, j, c, o])
 * Output pixels go in neighbouring pairs: each filter load serves both. Where both windows lie
 * inside the image's width, a pair is one pass over their rows in registers; at the side borders
 * each tap is its own pass, and a pixel whose tap falls in the padding reads `zeros`.
 * x: [batch, inH, inW, C]; w: [fh, fw, C, O]; bias: [O], or 0 for none; y: [batch, outH, outW, O];
 * scratch: `zeros`, C floats, and `spare`, O floats (the partner of an odd last pixel). Byte offsets.
 */
export function conv2d(
  x: usize, w: usize, bias: usize, y: usize, zeros: usize, spare: usize,
  batch: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32, outChannels: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, top: i32, left: i32, relu: bool,
): void {
  memory.fill(zeros, 0, (<usize>channels) << 2);
  const xPixel = (<usize>channels) << 2;
  const yPixel = (<usize>outChannels) << 2;
  const wTap = (<usize>channels) * yPixel; // one (i, j) of w: C rows of O weights
  const xLine = (<usize>inW) * xPixel; // one row of the image
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const yRow = y + (<usize>(b * outH + oy) * outW) * yPixel;
      for (let ox = 0; ox < outW; ox += 2) {
        const y0 = yRow + (<usize>ox) * yPixel;
        const y1 = ox + 1 < outW ? y0 + yPixel : spare;
        start(y0, bias, outChannels);
        start(y1, bias, outChannels);
        const ix0 = ox * sw - left;
        const ix1 = ix0 + sw;
        // Filter rows whose input row lies inside the image: [i0, i1), the same for the whole output row.
        const i0 = max(0, top - oy * sh);
        const i1 = min(fh, inH + top - oy * sh);
        const xTop = x + (<usize>((b * inH + oy * sh - top + i0) * inW)) * xPixel;
        if (ix0 >= 0 && ix1 + fw <= inW) {
          // Both windows inside the image's width: each of their rows is fw·C contiguous inputs, as
          // are the weights of a filter row, and the filter rows follow each other in w: one call.
          accumulateScaledRows(xTop + (<usize>ix0) * xPixel, xTop + (<usize>ix1) * xPixel, 4, w + (<usize>(i0 * fw)) * wTap, yPixel, fw * channels, y0, y1, outChannels, i1 - i0, xLine);
        } else {
          for (let i = i0; i < i1; i++) {
            const xRow = xTop + (<usize>(i - i0)) * xLine;
            for (let j = 0; j < fw; j++) {
              const first = ix0 + j >= 0 && ix0 + j < inW;
              const second = ix1 + j >= 0 && ix1 + j < inW;
              if (!first && !second) continue;
              const p0 = first ? xRow + (<usize>(ix0 + j)) * xPixel : zeros;
              const p1 = second ? xRow + (<usize>(ix1 + j)) * xPixel : zeros;
              accumulateScaledRows(p0, p1, 4, w + (<usize>(i * fw + j)) * wTap, yPixel, channels, y0, y1, outChannels);
            }
          }
        }
        if (relu) {
          clampAtZero(y0, outChannels);
          if (ox + 1 < outW) clampAtZero(y1, outChannels);
        }
      }
    }
  }
}

/** out[0..n) = bias, or 0. Vector moves: a memory.copy per pixel costs a call into the engine. */
function start(out: usize, bias: usize, n: i32): void {
  let o = 0;
  for (; o + 4 <= n; o += 4) {
    const at = (<usize>o) << 2;
    v128.store(out + at, bias ? v128.load(bias + at) : f32x4.splat(0));
  }
  for (; o < n; o++) {
    const at = (<usize>o) << 2;
    store<f32>(out + at, bias ? load<f32>(bias + at) : 0);
  }
}

function clampAtZero(out: usize, n: i32): void {
  let o = 0;
  for (; o + 4 <= n; o += 4) {
    const at = out + ((<usize>o) << 2);
    v128.store(at, f32x4.max(v128.load(at), f32x4.splat(0)));
  }
  for (; o < n; o++) {
    const at = out + ((<usize>o) << 2);
    store<f32>(at, max(load<f32>(at), 0));
  }
}
