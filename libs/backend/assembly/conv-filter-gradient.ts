import { madd } from './madd';

/**
 * Filter gradient of a 2-D convolution, NHWC float32:
 *   dW[i, j, c, o] = Σ_{b,y,x} X[b, y·sh + i − top, x·sw + j − left, c] · dY[b, y, x, o]
 * One output row (b, y) at a time, so its dY row and the input rows it reads stay in L1; for
 * every tap (i, j, c) the row's pixels update 16 output channels (four vectors) in registers.
 * x: [batch, inH, inW, C], dy: [batch, outH, outW, O], dw: [fh, fw, C, O]; offsets in bytes.
 */
export function convFilterGradient(
  x: usize, dy: usize, dw: usize,
  batch: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32, outChannels: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, top: i32, left: i32,
): void {
  memory.fill(dw, 0, (<usize>fh * fw * channels * outChannels) << 2);
  const dyPixel = (<usize>outChannels) << 2;
  const xPixel = (<usize>channels) << 2;
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < outH; y++) {
      const dyRow = dy + (<usize>(b * outH + y) * outW) * dyPixel;
      for (let i = 0; i < fh; i++) {
        const iy = y * sh + i - top;
        if (iy < 0 || iy >= inH) continue;
        const xRow = x + (<usize>(b * inH + iy) * inW) * xPixel;
        for (let j = 0; j < fw; j++) {
          // Output columns whose input column is inside the image: [x0, x1).
          let x0 = 0;
          while (x0 < outW && x0 * sw + j - left < 0) x0++;
          let x1 = outW;
          while (x1 > x0 && (x1 - 1) * sw + j - left >= inW) x1--;
          if (x0 >= x1) continue;
          const xFirst = xRow + (<usize>(x0 * sw + j - left)) * xPixel;
          const xStep = (<usize>sw) * xPixel;
          const dyFirst = dyRow + (<usize>x0) * dyPixel;
          const count = x1 - x0;
          let c = 0;
          for (; c + 2 <= channels; c += 2) {
            tapGradient2(xFirst + ((<usize>c) << 2), xStep, dyFirst, dyPixel, count, dw + (<usize>((i * fw + j) * channels + c)) * dyPixel, outChannels);
          }
          for (; c < channels; c++) {
            tapGradient(xFirst + ((<usize>c) << 2), xStep, dyFirst, dyPixel, count, dw + (<usize>((i * fw + j) * channels + c)) * dyPixel, outChannels);
          }
        }
      }
    }
  }
}

/** out[o] += Σ_{k < count} x[k·xStep] · dy[k·dyStep + o] for o < outChannels (strides in bytes). */
function tapGradient(x: usize, xStep: usize, dy: usize, dyStep: usize, count: i32, out: usize, outChannels: i32): void {
  let o = 0;
  for (; o + 16 <= outChannels; o += 16) {
    const d = dy + ((<usize>o) << 2);
    const w = out + ((<usize>o) << 2);
    let a0 = v128.load(w), a1 = v128.load(w, 16), a2 = v128.load(w, 32), a3 = v128.load(w, 48);
    let xp = x, dp = d;
    for (let k = 0; k < count; k++, xp += xStep, dp += dyStep) {
      const s = v128.load_splat<f32>(xp);
      a0 = madd(s, v128.load(dp), a0);
      a1 = madd(s, v128.load(dp, 16), a1);
      a2 = madd(s, v128.load(dp, 32), a2);
      a3 = madd(s, v128.load(dp, 48), a3);
    }
    v128.store(w, a0);
    v128.store(w, a1, 16);
    v128.store(w, a2, 32);
    v128.store(w, a3, 48);
  }
  for (; o + 4 <= outChannels; o += 4) {
    const w = out + ((<usize>o) << 2);
    let a = v128.load(w);
    let xp = x, dp = dy + ((<usize>o) << 2);
    for (let k = 0; k < count; k++, xp += xStep, dp += dyStep) a = madd(v128.load_splat<f32>(xp), v128.load(dp), a);
    v128.store(w, a);
  }
  for (; o < outChannels; o++) {
    const w = out + ((<usize>o) << 2);
    let a = load<f32>(w);
    let xp = x, dp = dy + ((<usize>o) << 2);
    for (let k = 0; k < count; k++, xp += xStep, dp += dyStep) a += load<f32>(xp) * load<f32>(dp);
    store<f32>(w, a);
  }
}

/** tapGradient for two consecutive input channels at once: each dY load serves both. */
function tapGradient2(x: usize, xStep: usize, dy: usize, dyStep: usize, count: i32, out: usize, outChannels: i32): void {
  const out2 = out + ((<usize>outChannels) << 2);
  let o = 0;
  for (; o + 16 <= outChannels; o += 16) {
    const d = dy + ((<usize>o) << 2);
    const w = out + ((<usize>o) << 2);
    const v = out2 + ((<usize>o) << 2);
    let a0 = v128.load(w), a1 = v128.load(w, 16), a2 = v128.load(w, 32), a3 = v128.load(w, 48);
    let b0 = v128.load(v), b1 = v128.load(v, 16), b2 = v128.load(v, 32), b3 = v128.load(v, 48);
    let xp = x, dp = d;
    for (let k = 0; k < count; k++, xp += xStep, dp += dyStep) {
      const s = v128.load_splat<f32>(xp);
      const t = v128.load_splat<f32>(xp, 4);
      const d0 = v128.load(dp), d1 = v128.load(dp, 16), d2 = v128.load(dp, 32), d3 = v128.load(dp, 48);
      a0 = madd(s, d0, a0);
      a1 = madd(s, d1, a1);
      a2 = madd(s, d2, a2);
      a3 = madd(s, d3, a3);
      b0 = madd(t, d0, b0);
      b1 = madd(t, d1, b1);
      b2 = madd(t, d2, b2);
      b3 = madd(t, d3, b3);
    }
    v128.store(w, a0);
    v128.store(w, a1, 16);
    v128.store(w, a2, 32);
    v128.store(w, a3, 48);
    v128.store(v, b0);
    v128.store(v, b1, 16);
    v128.store(v, b2, 32);
    v128.store(v, b3, 48);
  }
  if (o < outChannels) {
    tapGradient(x, xStep, dy + ((<usize>o) << 2), dyStep, count, out + ((<usize>o) << 2), outChannels - o);
    tapGradient(x + 4, xStep, dy + ((<usize>o) << 2), dyStep, count, out2 + ((<usize>o) << 2), outChannels - o);
  }
}
