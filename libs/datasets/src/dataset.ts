import type { ByteImages } from './cifar';

export type SplitName = 'train' | 'test';

/** What a dataset is, independent of whether its files are here. */
export interface DatasetDescription {
  /** Registry name: "mnist", "fashion-mnist", "cifar10", "synthetic". */
  name: string;
  /** [height, width, channels]. */
  imageShape: [number, number, number];
  numClasses: number;
  /** Index = label. */
  classNames: string[];
  trainSize: number;
  testSize: number;
  /** Images are served as float32 in [pixelMin, pixelMax] = [0, 1]; normalisation belongs to the model. */
  pixelMin: number;
  pixelMax: number;
}

/** Whether a dataset's files are present; if not, what to install or download, and where. */
export interface Availability {
  available: boolean;
  reason: string;
}

/** A decoded dataset: pixels kept as uint8 (4× smaller than float32), converted per batch. */
export interface LoadedDataset {
  description: DatasetDescription;
  train: ByteImages;
  test: ByteImages;
}

export function splitOf(dataset: LoadedDataset, split: SplitName): ByteImages {
  return split === 'train' ? dataset.train : dataset.test;
}

/** One batch as the models take it: images float32 [B, H, W, C] in [0, 1], labels int32 [B]. */
export interface ImageBatch {
  images: Float32Array;
  labels: Int32Array;
  shape: [number, number, number, number];
}

const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** Gathers the images at `indices` (any order, repeats allowed) into a float32 batch. */
/** The labels of the given indices of a split (a batch without its images). */
export function gatherLabels(dataset: LoadedDataset, split: SplitName, indices: ArrayLike<number>): Int32Array {
  const source = splitOf(dataset, split);
  return Int32Array.from(indices, (index) => {
    if (!(index >= 0 && index < source.count)) throw new RangeError(`index ${index} is outside the ${split} split (0..${source.count - 1})`);
    return source.labels[index];
  });
}

export function gatherBatch(dataset: LoadedDataset, split: SplitName, indices: ArrayLike<number>): ImageBatch {
  const source = splitOf(dataset, split);
  const [h, w, c] = dataset.description.imageShape;
  const size = h * w * c;
  const labels = gatherLabels(dataset, split, indices); // checks every index first
  const images = new Float32Array(indices.length * size);
  for (let b = 0; b < indices.length; b++) {
    const from = indices[b] * size;
    for (let k = 0; k < size; k++) images[b * size + k] = BYTE_TO_UNIT[source.pixels[from + k]];
  }
  return { images, labels, shape: [indices.length, h, w, c] };
}
