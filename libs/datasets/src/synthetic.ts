import type { ByteImages } from './cifar';
import type { DatasetDescription, LoadedDataset } from './dataset';
import { Prng } from './prng';

export interface SyntheticOptions {
  name?: string;
  seed?: number;
  /** [height, width, channels]. Default [28, 28, 1]. */
  imageShape?: [number, number, number];
  numClasses?: number;
  trainSize?: number;
  testSize?: number;
}

export const DEFAULT_SYNTHETIC: Required<SyntheticOptions> = {
  name: 'synthetic',
  seed: 0,
  imageShape: [28, 28, 1],
  numClasses: 10,
  trainSize: 2048,
  testSize: 512,
};

/**
 * A seeded, learnable dataset for tests: each class has a random prototype image; an image is
 * 0.7·prototype + 0.3·uniform noise, labels cycle 0..numClasses-1. Same options, same bytes.
 */
export function createSyntheticDataset(options: SyntheticOptions = {}): LoadedDataset {
  const o = { ...DEFAULT_SYNTHETIC, ...options };
  const [h, w, c] = o.imageShape;
  for (const [field, value] of Object.entries({ height: h, width: w, channels: c, numClasses: o.numClasses, trainSize: o.trainSize, testSize: o.testSize })) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`synthetic dataset: ${field} must be a positive integer, got ${value}`);
  }
  const prng = new Prng(o.seed);
  const size = h * w * c;
  const prototypes = Array.from({ length: o.numClasses }, () => Float32Array.from({ length: size }, () => prng.nextFloat()));
  const makeSplit = (count: number): ByteImages => {
    const pixels = new Uint8Array(count * size);
    const labels = new Int32Array(count);
    for (let n = 0; n < count; n++) {
      const label = n % o.numClasses;
      labels[n] = label;
      const prototype = prototypes[label];
      for (let k = 0; k < size; k++) pixels[n * size + k] = Math.round(255 * (0.7 * prototype[k] + 0.3 * prng.nextFloat()));
    }
    return { count, pixels, labels };
  };
  const train = makeSplit(o.trainSize);
  const test = makeSplit(o.testSize);
  return { description: syntheticDescription(o), train, test };
}

/** The description of createSyntheticDataset(options), without generating it. */
export function syntheticDescription(options: SyntheticOptions = {}): DatasetDescription {
  const o = { ...DEFAULT_SYNTHETIC, ...options };
  return {
    name: o.name,
    imageShape: [...o.imageShape],
    numClasses: o.numClasses,
    classNames: Array.from({ length: o.numClasses }, (_, i) => `class ${i}`),
    trainSize: o.trainSize,
    testSize: o.testSize,
    pixelMin: 0,
    pixelMax: 1,
  };
}
