import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ByteImages } from './cifar';
import type { DatasetDescription, LoadedDataset } from './dataset';
import { DatasetError } from './errors';
import { parseIdx } from './idx';
import type { IDX_FILES } from './locations';

/** Reads and checks an images + labels IDX pair against the registry's description. */
async function loadIdxSplit(imagesPath: string, labelsPath: string, expectedCount: number, description: DatasetDescription): Promise<ByteImages> {
  const [imageBytes, labelBytes] = await Promise.all([readFile(imagesPath), readFile(labelsPath)]);
  const images = parseIdx(imageBytes, imagesPath);
  const labels = parseIdx(labelBytes, labelsPath);
  const [h, w] = description.imageShape;
  if (images.dims.length !== 3 || images.dims[1] !== h || images.dims[2] !== w) {
    throw new DatasetError('CORRUPT', `${imagesPath}: IDX dims [${images.dims.join(', ')}] are not [N, ${h}, ${w}] images`);
  }
  if (labels.dims.length !== 1) throw new DatasetError('CORRUPT', `${labelsPath}: IDX dims [${labels.dims.join(', ')}] are not [N] labels`);
  if (images.dims[0] !== expectedCount || labels.dims[0] !== expectedCount) {
    throw new DatasetError(
      'CORRUPT',
      `${basename(imagesPath)} / ${basename(labelsPath)}: ${images.dims[0]} images and ${labels.dims[0]} labels, ${description.name} has ${expectedCount}`,
    );
  }
  const bad = labels.data.findIndex((label) => label >= description.numClasses);
  if (bad >= 0) throw new DatasetError('CORRUPT', `${labelsPath}: label ${labels.data[bad]} at ${bad} is not below ${description.numClasses}`);
  return { count: expectedCount, pixels: images.data, labels: Int32Array.from(labels.data) };
}

/** Loads an MNIST-format dataset from its four IDX files; any bad file fails the whole load. */
export async function loadIdxDataset(files: Record<keyof typeof IDX_FILES, string>, description: DatasetDescription): Promise<LoadedDataset> {
  const [train, test] = await Promise.all([
    loadIdxSplit(files.trainImages, files.trainLabels, description.trainSize, description),
    loadIdxSplit(files.testImages, files.testLabels, description.testSize, description),
  ]);
  return { description, train, test };
}
