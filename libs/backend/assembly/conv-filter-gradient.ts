import { accumulateScaledRow, accumulateScaledRows } from './scaled-rows';

/**
 * Filter gradient of a 2-D convolution, NHWC float32:
 *   dW[i, j, c, o] = Σ_{b,y,x} X[b, y·sh + i − top, x·sw + j − left, c] · dY[b, y, x, o]
 * One output row (b, y) at a time, so its dY row and the input rows it reads stay in L1; for
 * every tap (i, j) the row's pixels update the dW rows of two input channels at once.
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
          // Two input channels at a time: their rows of dW share every load of dY.
          const tap = dw + (<usize>((i * fw + j) * channels)) * dyPixel;
          let c = 0;
          for (; c + 2 <= channels; c += 2) {
            const x0c = xFirst + ((<usize>c) << 2);
            const dw0 = tap + (<usize>c) * dyPixel;
            accumulateScaledRows(x0c, x0c + 4, xStep, dyFirst, dyPixel, count, dw0, dw0 + dyPixel, outChannels);
          }
          if (c < channels) accumulateScaledRow(xFirst + ((<usize>c) << 2), xStep, dyFirst, dyPixel, count, tap + (<usize>c) * dyPixel, outChannels);
        }
      }
    }
  }
}
