import { writeFile } from 'node:fs/promises';
import { Split, type Batch } from '@conjugate/proto';
import { tensorMessageValues } from '@conjugate/tensor';
import type { Output } from '../output';
import { connect } from '../rpc';

/** `conjugate data list`: the datasets the data-service knows, and whether their files are present. */
export async function listDatasets(flags: { data?: string }, output: Output): Promise<number> {
  const data = await connect('data', flags.data);
  try {
    const { datasets } = await data.call(data.client.listDatasets, {});
    output.result(datasets, () => datasets.map((d) => `${d.name.padEnd(14)} ${d.imageShape.join('×').padEnd(9)} train ${String(d.trainSize).padStart(6)}  test ${String(d.testSize).padStart(6)}  ` +
      (d.available ? 'available' : `unavailable: ${d.unavailableReason}`)).join('\n'));
    return 0;
  } finally {
    data.close();
  }
}

/**
 * `conjugate data fetch NAME`: streams a slice of a split from the data-service (checks it is served and
 * shows what it holds); with --out, saves it as JSON (shape, labels, pixel values).
 */
export async function fetchDataset(name: string, flags: { data?: string; split: string; limit: number; out?: string }, output: Output): Promise<number> {
  const data = await connect('data', flags.data);
  try {
    const split = flags.split === 'train' ? Split.SPLIT_TRAIN : Split.SPLIT_TEST;
    const labels: number[] = [];
    const pixels: number[] = [];
    let shape: number[] = [];
    const stream = data.stream(() => data.client.streamBatches({ dataset: name, split, batchSize: Math.min(256, flags.limit), offset: 0, limit: flags.limit, indices: [] }));
    for await (const batch of stream as AsyncGenerator<Batch>) {
      if (!batch.images || !batch.labels) continue;
      const images = tensorMessageValues(batch.images);
      shape = images.shape.slice(1);
      labels.push(...Array.from(tensorMessageValues(batch.labels).values as ArrayLike<number>));
      if (flags.out) pixels.push(...Array.from(images.values as ArrayLike<number>));
    }
    const histogram: Record<number, number> = {};
    for (const label of labels) histogram[label] = (histogram[label] ?? 0) + 1;
    if (flags.out) await writeFile(flags.out, JSON.stringify({ dataset: name, split: flags.split, image_shape: shape, labels, pixels }));
    output.result({ dataset: name, split: flags.split, images: labels.length, image_shape: shape, label_counts: histogram, out: flags.out },
      () => `${labels.length} ${flags.split} images of ${name} (${shape.join('×')}); per label: ${Object.entries(histogram).map(([l, n]) => `${l}:${n}`).join(' ')}` + (flags.out ? `\nsaved to ${flags.out}` : ''));
    return 0;
  } finally {
    data.close();
  }
}
