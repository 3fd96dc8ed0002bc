/**
 * Gradient of a 2×2, stride-2, unpadded max-pool over NHWC float32 tensors, four channels per
 * SIMD step. Each window's dy goes to the first cell (row-major) equal to the forward output y, the
 * window's maximum: that is the cpu backend's first strict maximum, which decides ties (ReLU
 * outputs often give all-zero windows). A window with no equal cell (NaN) sends it to its first cell.
 * x, dx: [batch, inH, inW, C]; y, dy: [batch, outH, outW, C]; arguments are byte offsets.
 */
export function maxPool2x2Grad(x: usize, y: usize, dy: usize, dx: usize, batch: i32, inH: i32, inW: i32, outH: i32, outW: i32, channels: i32): void {
  const cellBytes = (<usize>channels) << 2;
  const rowBytes = <usize>inW * cellBytes;
  zeroUnread(dx, batch, inH, inW, outH, outW, cellBytes, rowBytes);
  let o: usize = 0; // byte offset into y and dy, in step with the loops
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      let window = (<usize>(b * inH + oy * 2)) * rowBytes;
      for (let ox = 0; ox < outW; ox++, window += 2 * cellBytes) {
        let c = 0;
        for (; c + 4 <= channels; c += 4, o += 16) {
          const a = window + ((<usize>c) << 2);
          const m = v128.load(y + o);
          const e00 = f32x4.eq(v128.load(x + a), m);
          const e01 = f32x4.eq(v128.load(x + a + cellBytes), m);
          const e10 = f32x4.eq(v128.load(x + a + rowBytes), m);
          const e11 = f32x4.eq(v128.load(x + a + rowBytes + cellBytes), m);
          const before10 = v128.or(e00, e01);
          const before11 = v128.or(before10, e10);
          const g = v128.load(dy + o);
          v128.store(dx + a, v128.and(g, v128.or(e00, v128.not(v128.or(before11, e11)))));
          v128.store(dx + a + cellBytes, v128.and(g, v128.andnot(e01, e00)));
          v128.store(dx + a + rowBytes, v128.and(g, v128.andnot(e10, before10)));
          v128.store(dx + a + rowBytes + cellBytes, v128.and(g, v128.andnot(e11, before11)));
        }
        for (; c < channels; c++, o += 4) {
          const a = window + ((<usize>c) << 2);
          const m = load<f32>(y + o);
          const best = load<f32>(x + a) == m ? a
            : load<f32>(x + a + cellBytes) == m ? a + cellBytes
            : load<f32>(x + a + rowBytes) == m ? a + rowBytes
            : load<f32>(x + a + rowBytes + cellBytes) == m ? a + rowBytes + cellBytes
            : a;
          store<f32>(dx + a, 0);
          store<f32>(dx + a + cellBytes, 0);
          store<f32>(dx + a + rowBytes, 0);
          store<f32>(dx + a + rowBytes + cellBytes, 0);
          store<f32>(dx + best, load<f32>(dy + o));
        }
      }
    }
  }
}

/** The windows write every cell they cover; a last row or column no window reads (odd sizes) gets 0. */
function zeroUnread(dx: usize, batch: i32, inH: i32, inW: i32, outH: i32, outW: i32, cellBytes: usize, rowBytes: usize): void {
  const imageBytes = <usize>inH * rowBytes;
  for (let b = 0; b < batch; b++) {
    const image = dx + (<usize>b) * imageBytes;
    if (inW > outW * 2) {
      for (let y = 0; y < outH * 2; y++) memory.fill(image + (<usize>y) * rowBytes + (<usize>(outW * 2)) * cellBytes, 0, (<usize>(inW - outW * 2)) * cellBytes);
    }
    if (inH > outH * 2) memory.fill(image + (<usize>(outH * 2)) * rowBytes, 0, (<usize>(inH - outH * 2)) * rowBytes);
  }
}
