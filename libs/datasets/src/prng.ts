/**
 * A seeded PRNG that gives the same numbers in every process, replica and language: sfc32
 * (Chris Doty-Humphrey's Small Fast Counting generator, 32-bit) seeded from a 64-bit integer seed
 * through splitmix32 (Math.imul-based) on its low and high words, then 12 discarded outputs.
 * Not Math.random: that is unseeded and differs between engines.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    // Split the seed into two 32-bit words (two's complement for negatives).
    const low = Number(BigInt.asUintN(32, BigInt(seed)));
    const high = Number(BigInt.asUintN(32, BigInt(seed) >> 32n));
    const mix = splitmix32(low ^ 0x9e3779b9);
    const mixHigh = splitmix32(high ^ 0x85ebca6b);
    this.a = mix();
    this.b = mixHigh();
    this.c = mix();
    this.d = mixHigh() | 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Uniform in [0, 2^32). */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling), n ≤ 2^32. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) throw new RangeError(`nextInt bound must be an integer in 1..2^32, got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * 0..n-1 in a seeded random order: Fisher–Yates from the last position down, swapping i with
 * nextInt(i + 1). The same (n, seed) gives the same order everywhere.
 */
export function shuffledIndices(n: number, seed: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const prng = new Prng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = prng.nextInt(i + 1);
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}
