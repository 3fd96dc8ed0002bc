// Image datasets for conjugate: readers, registry, seeded order, batches, the CIFAR-10 fetch.
export { DatasetError, type DatasetErrorCode } from './errors';
export { parseIdx, maybeGunzip, type IdxArray } from './idx';
export { parseCifarBatch, encodeCifarBatch, concatImages, CIFAR_RECORD_BYTES, type ByteImages } from './cifar';
export { Prng, shuffledIndices } from './prng';
export { gatherBatch, gatherLabels, splitOf, type Availability, type DatasetDescription, type ImageBatch, type LoadedDataset, type SplitName } from './dataset';
export { createSyntheticDataset, syntheticDescription, DEFAULT_SYNTHETIC, type SyntheticOptions } from './synthetic';
export { loadIdxDataset } from './idx-dataset';
export { loadCifar10 } from './cifar-dataset';
export {
  dataDir,
  mnistDataDir,
  fashionMnistDirs,
  findIdxFiles,
  DEBIAN_FASHION_MNIST_DIR,
  CIFAR10_DIR_NAME,
  CIFAR10_TRAIN_FILES,
  CIFAR10_TEST_FILE,
  IDX_FILES,
  type Env,
} from './locations';
export { DatasetRegistry, clearDatasetCache, MNIST, FASHION_MNIST, CIFAR10_DESCRIPTION, type RegistryOptions } from './registry';
export { planBatches, type BatchPlan, type BatchRequest } from './batch-plan';
export { fetchCifar10, CIFAR10_ARCHIVE, type FetchCifar10Options, type FetchCifar10Result } from './fetch-cifar10';
