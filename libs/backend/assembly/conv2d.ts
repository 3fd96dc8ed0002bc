import { madd } from './madd';

/**
 * A 2-D convolution over NHWC float32 tensors, with an optional per-channel bias and ReLU:
 *   y[b, oy, ox, o] = act(bias[o] + Σ_{i,j,c} x[b, oy·sh + i − top, ox·sw + j − left, c] · w[i, j, c, o])
 * Output pixels go in neighbouring pairs: each filter load serves both. Where a filter row of both
 * windows lies inside the image its fw·C inputs and weights are contiguous, one run; at the borders
 * each tap is its own run, and a pixel whose tap falls in the padding reads `zeros`.
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
        const inside = ix0 >= 0 && ix1 + fw <= inW;
        for (let i = 0; i < fh; i++) {
          const iy = oy * sh + i - top;
          if (iy < 0 || iy >= inH) continue;
          const xRow = x + (<usize>(b * inH + iy) * inW) * xPixel;
          const wRow = w + (<usize>(i * fw)) * wTap;
          if (inside) {
            run(xRow + (<usize>ix0) * xPixel, xRow + (<usize>ix1) * xPixel, wRow, fw * channels, y0, y1, outChannels);
            continue;
          }
          for (let j = 0; j < fw; j++) {
            const first = ix0 + j >= 0 && ix0 + j < inW;
            const second = ix1 + j >= 0 && ix1 + j < inW;
            if (!first && !second) continue;
            const p0 = first ? xRow + (<usize>(ix0 + j)) * xPixel : zeros;
            const p1 = second ? xRow + (<usize>(ix1 + j)) * xPixel : zeros;
            run(p0, p1, wRow + (<usize>j) * wTap, channels, y0, y1, outChannels);
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

/** out[0..n) = bias, or 0. */
function start(out: usize, bias: usize, n: i32): void {
  if (bias) memory.copy(out, bias, (<usize>n) << 2);
  else memory.fill(out, 0, (<usize>n) << 2);
}

/** y0[o] += Σ_k p0[k]·w[k, o] and y1[o] += Σ_k p1[k]·w[k, o] over k < length, for every o. */
function run(p0: usize, p1: usize, w: usize, length: i32, y0: usize, y1: usize, outChannels: i32): void {
  const wStep = (<usize>outChannels) << 2;
  let o = 0;
  for (; o + 16 <= outChannels; o += 16) {
    const at = (<usize>o) << 2;
    run16(p0, p1, w + at, wStep, length, y0 + at, y1 + at);
  }
  for (; o < outChannels; o++) {
    const at = (<usize>o) << 2;
    let s0 = load<f32>(y0 + at);
    let s1 = load<f32>(y1 + at);
    let wp = w + at;
    for (let k = 0; k < length; k++, wp += wStep) {
      const wk = load<f32>(wp);
      s0 += load<f32>(p0 + ((<usize>k) << 2)) * wk;
      s1 += load<f32>(p1 + ((<usize>k) << 2)) * wk;
    }
    store<f32>(y0 + at, s0);
    store<f32>(y1 + at, s1);
  }
}

/** `run` for 16 output channels: both pixels' sums in eight vectors while the inputs go by. */
function run16(p0: usize, p1: usize, w: usize, wStep: usize, length: i32, y0: usize, y1: usize): void {
  let a0 = v128.load(y0), a1 = v128.load(y0, 16), a2 = v128.load(y0, 32), a3 = v128.load(y0, 48);
  let b0 = v128.load(y1), b1 = v128.load(y1, 16), b2 = v128.load(y1, 32), b3 = v128.load(y1, 48);
  for (let k = 0; k < length; k++, p0 += 4, p1 += 4, w += wStep) {
    const s = v128.load_splat<f32>(p0);
    const t = v128.load_splat<f32>(p1);
    const w0 = v128.load(w), w1 = v128.load(w, 16), w2 = v128.load(w, 32), w3 = v128.load(w, 48);
    a0 = madd(s, w0, a0);
    a1 = madd(s, w1, a1);
    a2 = madd(s, w2, a2);
    a3 = madd(s, w3, a3);
    b0 = madd(t, w0, b0);
    b1 = madd(t, w1, b1);
    b2 = madd(t, w2, b2);
    b3 = madd(t, w3, b3);
  }
  v128.store(y0, a0);
  v128.store(y0, a1, 16);
  v128.store(y0, a2, 32);
  v128.store(y0, a3, 48);
  v128.store(y1, b0);
  v128.store(y1, b1, 16);
  v128.store(y1, b2, 32);
  v128.store(y1, b3, 48);
}

function clampAtZero(out: usize, n: i32): void {
  for (let o = 0; o < n; o++) {
    const at = out + ((<usize>o) << 2);
    store<f32>(at, max(load<f32>(at), 0));
  }
}
