/** Rows summed into registers before they are added to the totals: blocks keep f32 rounding small. */
const BLOCK_ROWS = 256;

/**
 * Column sums of a row-major float32 [rows, width] matrix into out[width] — every bias gradient
 * (dY [B·H·W, C] → [C]). Sixteen columns (four vectors) at a time accumulate over a block of
 * rows in registers; a block's sums are then added to the totals. Offsets in bytes.
 */
export function columnSums(x: usize, out: usize, rows: i32, width: i32): void {
  memory.fill(out, 0, (<usize>width) << 2);
  const rowBytes = (<usize>width) << 2;
  for (let r0 = 0; r0 < rows; r0 += BLOCK_ROWS) {
    const count = min(BLOCK_ROWS, rows - r0);
    const block = x + (<usize>r0) * rowBytes;
    let c = 0;
    for (; c + 16 <= width; c += 16) {
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let p = block + ((<usize>c) << 2);
      for (let r = 0; r < count; r++, p += rowBytes) {
        s0 = f32x4.add(s0, v128.load(p));
        s1 = f32x4.add(s1, v128.load(p, 16));
        s2 = f32x4.add(s2, v128.load(p, 32));
        s3 = f32x4.add(s3, v128.load(p, 48));
      }
      const o = out + ((<usize>c) << 2);
      v128.store(o, f32x4.add(v128.load(o), s0));
      v128.store(o, f32x4.add(v128.load(o, 16), s1), 16);
      v128.store(o, f32x4.add(v128.load(o, 32), s2), 32);
      v128.store(o, f32x4.add(v128.load(o, 48), s3), 48);
    }
    for (; c + 4 <= width; c += 4) {
      let s = f32x4.splat(0);
      let p = block + ((<usize>c) << 2);
      for (let r = 0; r < count; r++, p += rowBytes) s = f32x4.add(s, v128.load(p));
      const o = out + ((<usize>c) << 2);
      v128.store(o, f32x4.add(v128.load(o), s));
    }
    for (; c < width; c++) {
      let s: f32 = 0;
      let p = block + ((<usize>c) << 2);
      for (let r = 0; r < count; r++, p += rowBytes) s += load<f32>(p);
      const o = out + ((<usize>c) << 2);
      store<f32>(o, load<f32>(o) + s);
    }
  }
}
