import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';
import { encodeCifarBatch } from './cifar';
import { fetchCifar10 } from './fetch-cifar10';
import { DatasetRegistry } from './registry';

let scratch: string;
let archive: Buffer;
let server: Server;
let baseUrl: string;

// An archive laid out like the official one (cifar-10-batches-bin/…), served over real HTTP.
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'conjugate-fetch-'));
  const source = join(scratch, 'source', 'cifar-10-batches-bin');
  await mkdir(source, { recursive: true });
  const batch = (label: number) => encodeCifarBatch({ count: 2, pixels: new Uint8Array(2 * 3072).fill(label * 20), labels: Int32Array.from([label, label]) });
  for (let i = 1; i <= 5; i++) await writeFile(join(source, `data_batch_${i}.bin`), batch(i));
  await writeFile(join(source, 'test_batch.bin'), batch(0));
  await writeFile(join(source, 'batches.meta.txt'), 'airplane\n');
  const file = join(scratch, 'cifar-10-binary.tar.gz');
  await create({ gzip: true, file, cwd: join(scratch, 'source') }, ['cifar-10-batches-bin']);
  archive = await readFile(file);
  server = createServer((request, response) => {
    if (request.url === '/cifar-10-binary.tar.gz') response.writeHead(200).end(archive);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.close();
  await rm(scratch, { recursive: true, force: true });
});

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

describe('fetchCifar10', () => {
  it('downloads, verifies the MD5 and unpacks into the data dir, where the registry finds it', async () => {
    const dataDir = join(scratch, 'ok');
    const lines: string[] = [];
    const result = await fetchCifar10({ dataDir, url: `${baseUrl}/cifar-10-binary.tar.gz`, md5: md5(archive), log: (line) => lines.push(line) });
    expect(result).toEqual({ dir: join(dataDir, 'cifar-10-batches-bin'), alreadyPresent: false, bytes: archive.length });
    expect(lines.some((line) => line.startsWith('verified MD5'))).toBe(true);
    const registry = new DatasetRegistry({ env: { CONJUGATE_DATA_DIR: dataDir } });
    expect(registry.describe('cifar10')).toMatchObject({ available: true, trainSize: 10, testSize: 2 });
    expect(Array.from((await registry.load('cifar10')).train.labels)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(readdirSync(dataDir)).toEqual(['cifar-10-batches-bin']); // no temporary leftovers
    const again = await fetchCifar10({ dataDir, url: `${baseUrl}/nothing-here`, md5: 'x' });
    expect(again.alreadyPresent).toBe(true);
  });

  it('refuses an archive whose MD5 differs, leaving nothing behind', async () => {
    const dataDir = join(scratch, 'bad-md5');
    await expect(fetchCifar10({ dataDir, url: `${baseUrl}/cifar-10-binary.tar.gz` })).rejects.toMatchObject({
      code: 'CORRUPT',
      message: expect.stringContaining(`does not match the published c32a1d4ab5d03f1284b67883e8d87530`),
    });
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('offline: fails fast saying what to download and where to put it', async () => {
    const dataDir = join(scratch, 'offline');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    closed.close(); // nothing listens on this port any more
    const error = (await fetchCifar10({ dataDir, url: `http://127.0.0.1:${port}/cifar-10-binary.tar.gz` }).then(
      () => new Error('fetch unexpectedly succeeded'),
      (e: unknown) => e as Error,
    )) as Error & { code?: string };
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz (MD5 c32a1d4ab5d03f1284b67883e8d87530)');
    expect(error.message).toContain(`so that ${join(dataDir, 'cifar-10-batches-bin', 'data_batch_1.bin')} exists`);
    expect(existsSync(join(dataDir, 'cifar-10-batches-bin'))).toBe(false);
  });

  it('gives up on a server that accepts but never answers', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/cifar-10-binary.tar.gz`;
    try {
      await expect(fetchCifar10({ dataDir: join(scratch, 'silent'), url, stallTimeoutMs: 300 })).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        message: expect.stringContaining('no response for 300 ms'),
      });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
