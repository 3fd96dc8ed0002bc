import type * as tf from '@tensorflow/tfjs-core';
import { valuesInPlace } from '@conjugate/backend';
import type { ValueSums } from '@conjugate/proto';

/** Σv, Σv² and the number of values of a set, and their minimum where it is kept (the contract's ValueSums). */
export type Sums = Pick<ValueSums, 'sum' | 'sumSquares' | 'count'> & { min?: number };

/**
 * Count, sum, sum of squares and minimum of every element seen, in float64 (JavaScript numbers)
 * although the tensors are float32, added in the order seen. Additive, so a std can be measured over
 * many batches, or pooled from the sums of disjoint sets (shards).
 */
export class RunningMoments implements Sums {
  count = 0;
  sum = 0;
  sumSquares = 0;
  min = Infinity;

  add(values: tf.Tensor): this {
    const data = valuesInPlace(values);
    for (let i = 0; i < data.length; i++) {
      const value = data[i];
      this.sum += value;
      this.sumSquares += value * value;
      if (value < this.min) this.min = value;
    }
    this.count += values.size;
    return this;
  }

  /** As the contract's ValueSums (attack.proto), to be added up with other shards' (`addSums`). */
  toSums(): ValueSums {
    return { sum: this.sum, sumSquares: this.sumSquares, count: this.count, min: this.min };
  }

  /** Adds the sums of a disjoint set of values. */
  addSums(sums: Sums): this {
    this.sum += sums.sum;
    this.sumSquares += sums.sumSquares;
    this.count += sums.count;
    if (sums.min !== undefined) this.min = Math.min(this.min, sums.min);
    return this;
  }

  /** Population standard deviation of all elements seen. */
  get std(): number {
    if (this.count === 0) return NaN;
    const mean = this.sum / this.count;
    return Math.sqrt(Math.max(0, this.sumSquares / this.count - mean * mean));
  }

  /** The moments of the union of disjoint sets, from their sums (added in the order given). */
  static ofSums(parts: Sums[]): RunningMoments {
    const union = new RunningMoments();
    for (const part of parts) union.addSums(part);
    return union;
  }
}
