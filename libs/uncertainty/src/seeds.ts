/**
 * A 31-bit seed for one random stream, mixed from the estimate's seed and the stream's coordinates
 * (point id, batch index), so every (point, batch) draws the same samples on any replica, in any order.
 */
export function streamSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    // Mix the low and high 32 bits of each (integer) part, murmur3-style.
    for (const word of [part >>> 0, Math.floor(part / 2 ** 32) >>> 0]) {
      h = Math.imul(h ^ word, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
    }
  }
  return h >>> 1;
}
