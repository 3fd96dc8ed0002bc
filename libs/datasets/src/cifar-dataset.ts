import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { concatImages, parseCifarBatch } from './cifar';
import type { DatasetDescription, LoadedDataset } from './dataset';
import { DatasetError } from './errors';
import { CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES } from './locations';

/** Loads CIFAR-10 from a `cifar-10-batches-bin` folder (data_batch_1..5.bin, test_batch.bin). */
export async function loadCifar10(dir: string, description: DatasetDescription): Promise<LoadedDataset> {
  const read = async (file: string) => parseCifarBatch(await readFile(join(dir, file)), join(dir, file));
  const train = concatImages(await Promise.all(CIFAR10_TRAIN_FILES.map(read)));
  const test = await read(CIFAR10_TEST_FILE);
  for (const [split, images, expected] of [['train', train, description.trainSize], ['test', test, description.testSize]] as const) {
    if (images.count !== expected) {
      throw new DatasetError('CORRUPT', `${dir}: the ${split} files hold ${images.count} images, CIFAR-10 has ${expected}`);
    }
  }
  return { description, train, test };
}
