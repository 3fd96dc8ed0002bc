/**
 * c + a·b lane-wise: one fused multiply-add where the engine has relaxed SIMD (FMA on x86-64 and
 * ARM), else a multiply and an add. The choice is made when the kernels are compiled.
 */
export function madd(a: v128, b: v128, c: v128): v128 {
  return ASC_FEATURE_RELAXED_SIMD ? f32x4.relaxed_madd(a, b, c) : f32x4.add(c, f32x4.mul(a, b));
}
