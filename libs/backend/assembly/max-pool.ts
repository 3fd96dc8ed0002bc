/**
 * A 2×2, stride-2, unpadded max-pool over NHWC float32 tensors, four channels per SIMD step.
 * x: [batch, inH, inW, C]; y: [batch, outH, outW, C] with outH = ⌊inH/2⌋, outW = ⌊inW/2⌋ (an odd
 * last row or column is not read). Byte offsets.
 */
export function maxPool2x2(x: usize, y: usize, batch: i32, inH: i32, inW: i32, outH: i32, outW: i32, channels: i32): void {
  const cellBytes = (<usize>channels) << 2;
  const rowBytes = <usize>inW * cellBytes;
  let o = y;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      let window = x + (<usize>(b * inH + oy * 2)) * rowBytes;
      for (let ox = 0; ox < outW; ox++, window += 2 * cellBytes) {
        let a = window;
        let c = 0;
        for (; c + 4 <= channels; c += 4, a += 16, o += 16) {
          const top = f32x4.max(v128.load(a), v128.load(a + cellBytes));
          const bottom = f32x4.max(v128.load(a + rowBytes), v128.load(a + rowBytes + cellBytes));
          v128.store(o, f32x4.max(top, bottom));
        }
        for (; c < channels; c++, a += 4, o += 4) {
          store<f32>(o, max(max(load<f32>(a), load<f32>(a + cellBytes)), max(load<f32>(a + rowBytes), load<f32>(a + rowBytes + cellBytes))));
        }
      }
    }
  }
}
