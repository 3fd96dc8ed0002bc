import { madd } from './madd';

/**
 * Input gradient of a 2-D convolution over NHWC float32 tensors, for few input channels (an image's
 * 1 or 3), where a transposed convolution has a single output channel and runs poorly on XNNPACK:
 *   dx[b, iy, ix, c] = Σ_{i,j,o} dy[b, y, x, o] · w[i, j, c, o]   with iy = y·sh + i − padTop, ix = x·sw + j − padLeft.
 * Gathered per dx cell, not scattered per dy pixel: each cell is one sum, reduced once and stored once.
 * The filter taps j reaching a cell meet consecutive dy pixels x, so with w rearranged (wt below) each
 * filter row's share is one contiguous dot product, over n taps × O channels, 16 floats per step.
 * dy: [batch, outH, outW, O]; w: [fh, fw, C, O]; dx: [batch, inH, inW, C]; scratch wt: fh·fw·C·O
 * floats; scratch columns: 3·inW int32. Arguments are byte offsets.
 */
export function convInputGradient(
  dy: usize, w: usize, dx: usize, wt: usize, columns: usize,
  batch: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32, outChannels: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
): void {
  rearrangeFilter(w, wt, fh, fw, sw, channels, outChannels);
  tabulateColumns(columns, inW, outW, fw, sw, padLeft);
  const pixelBytes = (<usize>outChannels) << 2; // one dy pixel, one w tap
  const dyRowBytes = <usize>outW * pixelBytes;
  const wtRowBytes = <usize>fw * pixelBytes;
  let out = dx;
  for (let b = 0; b < batch; b++) {
    const dyImage = dy + <usize>(b * outH) * dyRowBytes;
    for (let iy = 0; iy < inH; iy++) {
      // Filter rows i reaching row iy: y = (iy + padTop − i) / sh a whole number in [0, outH).
      const rowOffset = iy + padTop;
      const iLow = max(0, rowOffset - (outH - 1) * sh);
      const iFirst = iLow + (rowOffset - iLow) % sh;
      const iLast = min(fh - 1, rowOffset);
      const dyFirstRow = dyImage + <usize>((rowOffset - iFirst) / sh) * dyRowBytes;
      for (let ix = 0; ix < inW; ix++) {
        const column = columns + (<usize>ix) * 12;
        const dyStart = dyFirstRow + <usize>load<i32>(column) * pixelBytes;
        const wtStart = wt + <usize>(iFirst * fw + load<i32>(column, 4)) * pixelBytes;
        const length = load<i32>(column, 8) * outChannels;
        for (let c = 0; c < channels; c++, out += 4) {
          // Four accumulators: one would make every step wait for the previous add.
          let a0 = f32x4.splat(0);
          let a1 = f32x4.splat(0);
          let a2 = f32x4.splat(0);
          let a3 = f32x4.splat(0);
          let rest: f32 = 0;
          let p = dyStart;
          let q = wtStart + <usize>(c * fh) * wtRowBytes;
          for (let i = iFirst; i <= iLast; i += sh, p -= dyRowBytes, q += <usize>sh * wtRowBytes) {
            let k = 0;
            for (; k + 16 <= length; k += 16) {
              const at = (<usize>k) << 2;
              a0 = madd(v128.load(p + at), v128.load(q + at), a0);
              a1 = madd(v128.load(p + at, 16), v128.load(q + at, 16), a1);
              a2 = madd(v128.load(p + at, 32), v128.load(q + at, 32), a2);
              a3 = madd(v128.load(p + at, 48), v128.load(q + at, 48), a3);
            }
            for (; k + 4 <= length; k += 4) {
              const at = (<usize>k) << 2;
              a0 = madd(v128.load(p + at), v128.load(q + at), a0);
            }
            for (; k < length; k++) {
              const at = (<usize>k) << 2;
              rest += load<f32>(p + at) * load<f32>(q + at);
            }
          }
          const sum = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
          store<f32>(out, f32x4.extract_lane(sum, 0) + f32x4.extract_lane(sum, 1) + f32x4.extract_lane(sum, 2) + f32x4.extract_lane(sum, 3) + rest);
        }
      }
    }
  }
}

/** Taps j = φ, φ + sw, … of one phase φ = j mod sw: the ones that can reach the same dx column together. */
function tapsInPhase(phase: i32, fw: i32, sw: i32): i32 {
  return (fw - phase + sw - 1) / sw;
}

/** Where tap j sits in a row of wt: grouped by phase, each group in falling j (rising dy x). */
function tapPosition(j: i32, fw: i32, sw: i32): i32 {
  const phase = j % sw;
  let position = 0;
  for (let earlier = 0; earlier < phase; earlier++) position += tapsInPhase(earlier, fw, sw);
  return position + tapsInPhase(phase, fw, sw) - 1 - j / sw;
}

/** wt[c, i, tapPosition(j), o] = w[i, j, c, o]. */
function rearrangeFilter(w: usize, wt: usize, fh: i32, fw: i32, sw: i32, channels: i32, outChannels: i32): void {
  const pixelBytes = (<usize>outChannels) << 2;
  for (let i = 0; i < fh; i++) {
    for (let j = 0; j < fw; j++) {
      for (let c = 0; c < channels; c++) {
        const from = w + <usize>((i * fw + j) * channels + c) * pixelBytes;
        const to = wt + <usize>((c * fh + i) * fw + tapPosition(j, fw, sw)) * pixelBytes;
        memory.copy(to, from, pixelBytes);
      }
    }
  }
}

/**
 * Per dx column ix: the first dy pixel x its taps reach, that tap's position in a wt row, and the
 * number of taps (consecutive x). Divisions here, once per column, not once per cell.
 */
function tabulateColumns(columns: usize, inW: i32, outW: i32, fw: i32, sw: i32, padLeft: i32): void {
  for (let ix = 0; ix < inW; ix++) {
    const colOffset = ix + padLeft; // = x·sw + j
    const jLow = max(0, colOffset - (outW - 1) * sw);
    const jFirst = jLow + (colOffset - jLow) % sw;
    const jHigh = min(fw - 1, colOffset);
    let x = 0;
    let position = 0;
    let taps = 0;
    if (jFirst <= jHigh) {
      const jLast = jHigh - (jHigh - jFirst) % sw;
      x = (colOffset - jLast) / sw;
      position = tapPosition(jLast, fw, sw);
      taps = (jLast - jFirst) / sw + 1;
    }
    const column = columns + (<usize>ix) * 12;
    store<i32>(column, x);
    store<i32>(column, position, 4);
    store<i32>(column, taps, 8);
  }
}
