import { accumulateScaledRow, accumulateScaledRows } from './scaled-rows';

/**
 * Filter gradient of a 2-D convolution, NHWC float32:
 *   dW[i, j, c, o] = Σ_{b,y,x} X[b, y·sh + i − top, x·sw + j − left, c] · dY[b, y, x, o]
 * Image by image and tap (i, j) by tap, two input channels at a time: their dW rows stay in
 * registers while the image's dY pixels go by (each dY load serves both). Where the tap reads
 * every output column (no padding on the sides) that is one pass over all the image's rows;
 * otherwise one pass per output row, over the columns that read inside the image.
 * x: [batch, inH, inW, C], dy: [batch, outH, outW, O], dw: [fh, fw, C, O]; offsets in bytes.
 * Only input channels [firstChannel, endChannel) are written (their rows of dW, each in the same
 * order as over all channels): threads that split C between them compute what one would.
 */
export function convFilterGradient(
  x: usize, dy: usize, dw: usize,
  batch: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32, outChannels: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, top: i32, left: i32, firstChannel: i32, endChannel: i32,
): void {
  const dyPixel = (<usize>outChannels) << 2;
  for (let tap = 0; tap < fh * fw; tap++) {
    memory.fill(dw + (<usize>(tap * channels + firstChannel)) * dyPixel, 0, (<usize>(endChannel - firstChannel)) * dyPixel);
  }
  const xPixel = (<usize>channels) << 2;
  const xLine = (<usize>inW) * xPixel;
  const xStep = (<usize>sw) * xPixel;
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < fh; i++) {
      // Output rows whose input row is inside the image: [y0, y1).
      const y0 = firstInside(outH, sh, i - top);
      const y1 = endInside(outH, sh, i - top, inH, y0);
      if (y0 >= y1) continue;
      for (let j = 0; j < fw; j++) {
        // Output columns whose input column is inside the image: [x0, x1).
        const x0 = firstInside(outW, sw, j - left);
        const x1 = endInside(outW, sw, j - left, inW, x0);
        if (x0 >= x1) continue;
        const tap = dw + (<usize>((i * fw + j) * channels)) * dyPixel;
        // Whole rows of dY follow each other in memory: all rows in one pass.
        const whole = x0 == 0 && x1 == outW;
        const passes = whole ? 1 : y1 - y0;
        const lines = whole ? y1 - y0 : 1;
        for (let pass = 0; pass < passes; pass++) {
          const y = y0 + pass;
          const xFirst = x + (<usize>((b * inH + y * sh + i - top) * inW + x0 * sw + j - left)) * xPixel;
          const dyFirst = dy + (<usize>((b * outH + y) * outW + x0)) * dyPixel;
          const lineJump = (<usize>sh) * xLine;
          let c = firstChannel;
          for (; c + 2 <= endChannel; c += 2) {
            const xc = xFirst + ((<usize>c) << 2);
            const dwc = tap + (<usize>c) * dyPixel;
            accumulateScaledRows(xc, xc + 4, xStep, dyFirst, dyPixel, x1 - x0, dwc, dwc + dyPixel, outChannels, lines, lineJump);
          }
          if (c < endChannel) accumulateScaledRow(xFirst + ((<usize>c) << 2), xStep, dyFirst, dyPixel, x1 - x0, tap + (<usize>c) * dyPixel, outChannels, lines, lineJump);
        }
      }
    }
  }
}

/** The first output position k < n whose input position k·stride + offset is not before the image. */
function firstInside(n: i32, stride: i32, offset: i32): i32 {
  let k = 0;
  while (k < n && k * stride + offset < 0) k++;
  return k;
}

/** One past the last output position k ≥ first whose input position k·stride + offset is inside [0, size). */
function endInside(n: i32, stride: i32, offset: i32, size: i32, first: i32): i32 {
  let k = n;
  while (k > first && (k - 1) * stride + offset >= size) k--;
  return k;
}
