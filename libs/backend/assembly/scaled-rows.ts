import { madd } from './madd';

/**
 * The inner loop of the convolution kernels: two rows of sums of scaled vectors,
 *   a[o] += Σ_k p[k·step] · v[k·vStep + o]   and   b[o] += Σ_k q[k·step] · v[k·vStep + o],   o < width,
 * over k < count — or over `lines` lines of `count` each, p and q moving on by `lineJump` bytes
 * from one line's start to the next while v just continues (a window's rows of an image against
 * a filter's rows). Sixteen columns at a time live in registers (eight vectors), each load of v
 * serving both rows; the rest column by column. Byte offsets and steps.
 */
export function accumulateScaledRows(
  p: usize, q: usize, step: usize, v: usize, vStep: usize, count: i32, a: usize, b: usize, width: i32,
  lines: i32 = 1, lineJump: usize = 0,
): void {
  let o = 0;
  for (; o + 16 <= width; o += 16) {
    const at = (<usize>o) << 2;
    accumulate16(p, q, step, v + at, vStep, count, a + at, b + at, lines, lineJump);
  }
  for (; o < width; o++) {
    const at = (<usize>o) << 2;
    let s = load<f32>(a + at);
    let t = load<f32>(b + at);
    let vp = v + at;
    for (let line = 0; line < lines; line++) {
      let pp = p + (<usize>line) * lineJump, qp = q + (<usize>line) * lineJump;
      for (let k = 0; k < count; k++, pp += step, qp += step, vp += vStep) {
        const vk = load<f32>(vp);
        s += load<f32>(pp) * vk;
        t += load<f32>(qp) * vk;
      }
    }
    store<f32>(a + at, s);
    store<f32>(b + at, t);
  }
}

function accumulate16(p: usize, q: usize, step: usize, v: usize, vStep: usize, count: i32, a: usize, b: usize, lines: i32, lineJump: usize): void {
  let a0 = v128.load(a), a1 = v128.load(a, 16), a2 = v128.load(a, 32), a3 = v128.load(a, 48);
  let b0 = v128.load(b), b1 = v128.load(b, 16), b2 = v128.load(b, 32), b3 = v128.load(b, 48);
  for (let line = 0; line < lines; line++) {
    let pp = p + (<usize>line) * lineJump, qp = q + (<usize>line) * lineJump;
    for (let k = 0; k < count; k++, pp += step, qp += step, v += vStep) {
      const s = v128.load_splat<f32>(pp);
      const t = v128.load_splat<f32>(qp);
      const v0 = v128.load(v), v1 = v128.load(v, 16), v2 = v128.load(v, 32), v3 = v128.load(v, 48);
      a0 = madd(s, v0, a0);
      a1 = madd(s, v1, a1);
      a2 = madd(s, v2, a2);
      a3 = madd(s, v3, a3);
      b0 = madd(t, v0, b0);
      b1 = madd(t, v1, b1);
      b2 = madd(t, v2, b2);
      b3 = madd(t, v3, b3);
    }
  }
  v128.store(a, a0);
  v128.store(a, a1, 16);
  v128.store(a, a2, 32);
  v128.store(a, a3, 48);
  v128.store(b, b0);
  v128.store(b, b1, 16);
  v128.store(b, b2, 32);
  v128.store(b, b3, 48);
}

/** One such row: a[o] += Σ_k p[k·step] · v[k·vStep + o], o < width (lines as above). */
export function accumulateScaledRow(p: usize, step: usize, v: usize, vStep: usize, count: i32, a: usize, width: i32, lines: i32 = 1, lineJump: usize = 0): void {
  let o = 0;
  for (; o + 16 <= width; o += 16) {
    const at = (<usize>o) << 2;
    let a0 = v128.load(a + at), a1 = v128.load(a + at, 16), a2 = v128.load(a + at, 32), a3 = v128.load(a + at, 48);
    let vp = v + at;
    for (let line = 0; line < lines; line++) {
      let pp = p + (<usize>line) * lineJump;
      for (let k = 0; k < count; k++, pp += step, vp += vStep) {
        const s = v128.load_splat<f32>(pp);
        a0 = madd(s, v128.load(vp), a0);
        a1 = madd(s, v128.load(vp, 16), a1);
        a2 = madd(s, v128.load(vp, 32), a2);
        a3 = madd(s, v128.load(vp, 48), a3);
      }
    }
    v128.store(a + at, a0);
    v128.store(a + at, a1, 16);
    v128.store(a + at, a2, 32);
    v128.store(a + at, a3, 48);
  }
  for (; o < width; o++) {
    const at = (<usize>o) << 2;
    let s = load<f32>(a + at);
    let vp = v + at;
    for (let line = 0; line < lines; line++) {
      let pp = p + (<usize>line) * lineJump;
      for (let k = 0; k < count; k++, pp += step, vp += vStep) s += load<f32>(pp) * load<f32>(vp);
    }
    store<f32>(a + at, s);
  }
}
