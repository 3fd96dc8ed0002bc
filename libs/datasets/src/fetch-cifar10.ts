import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { extract } from 'tar';
import { DatasetError } from './errors';
import { CIFAR10_DIR_NAME, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, dataDir, type Env } from './locations';

/** The official archive and its published MD5 (https://www.cs.toronto.edu/~kriz/cifar.html). */
export const CIFAR10_ARCHIVE = {
  url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
  md5: 'c32a1d4ab5d03f1284b67883e8d87530',
};

export interface FetchCifar10Options {
  /** Where cifar-10-batches-bin/ goes. Default: the data dir (CONJUGATE_DATA_DIR). */
  dataDir?: string;
  env?: Env;
  /** Overrides for tests and mirrors. */
  url?: string;
  md5?: string;
  /** Give up when no response (or no bytes) arrive for this long. Default 15 s. */
  stallTimeoutMs?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface FetchCifar10Result {
  dir: string;
  /** True when the files were already there and nothing was downloaded. */
  alreadyPresent: boolean;
  bytes: number;
}

const FILES = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE];

/**
 * Downloads the CIFAR-10 binary archive, checks its MD5, and unpacks it into
 * <data dir>/cifar-10-batches-bin (through a temporary folder, so a failure never leaves a partial
 * dataset). Offline it fails fast with what to download and where to put it.
 */
export async function fetchCifar10(options: FetchCifar10Options = {}): Promise<FetchCifar10Result> {
  const root = options.dataDir ?? dataDir(options.env);
  const target = join(root, CIFAR10_DIR_NAME);
  const url = options.url ?? CIFAR10_ARCHIVE.url;
  const md5 = options.md5 ?? CIFAR10_ARCHIVE.md5;
  const log = options.log ?? (() => undefined);
  if (FILES.every((file) => existsSync(join(target, file)))) return { dir: target, alreadyPresent: true, bytes: 0 };

  const manual =
    `Download ${CIFAR10_ARCHIVE.url} (MD5 ${CIFAR10_ARCHIVE.md5}) yourself and unpack it into ${root} ` +
    `(tar -xzf cifar-10-binary.tar.gz -C ${root}) so that ${join(target, 'data_batch_1.bin')} exists.`;
  await mkdir(root, { recursive: true });
  const work = await mkdtemp(join(root, '.cifar10-fetch-'));
  try {
    const archive = join(work, 'cifar-10-binary.tar.gz');
    log(`downloading ${url}`);
    const bytes = await download(url, archive, md5, options.stallTimeoutMs ?? 15_000, manual);
    log(`verified MD5 ${md5} of ${bytes} bytes; unpacking`);
    await extract({ file: archive, cwd: work, strict: true }).catch((error: Error) => {
      throw new DatasetError('CORRUPT', `cannot unpack ${url}: ${error.message}. ${manual}`);
    });
    const missing = FILES.filter((file) => !existsSync(join(work, CIFAR10_DIR_NAME, file)));
    if (missing.length) throw new DatasetError('CORRUPT', `${url} unpacked without ${missing.join(', ')}. ${manual}`);
    await rm(target, { recursive: true, force: true });
    await rename(join(work, CIFAR10_DIR_NAME), target);
    log(`CIFAR-10 is in ${target}`);
    return { dir: target, alreadyPresent: false, bytes };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Streams `url` to `file` while hashing; a stall, an HTTP error or a wrong MD5 is an error. */
async function download(url: string, file: string, md5: string, stallTimeoutMs: number, manual: string): Promise<number> {
  const controller = new AbortController();
  let stallTimer = setTimeout(() => controller.abort(new Error(`no response for ${stallTimeoutMs} ms`)), stallTimeoutMs);
  const alive = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => controller.abort(new Error(`no data for ${stallTimeoutMs} ms`)), stallTimeoutMs);
  };
  const unreachable = (error: unknown) => {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    const reason = controller.signal.aborted ? (controller.signal.reason as Error).message : `${(error as Error).message}${cause ? ` (${cause})` : ''}`;
    return new DatasetError('UNAVAILABLE', `cannot download ${url}: ${reason}. ${manual}`);
  };
  try {
    const response = await fetch(url, { signal: controller.signal }).catch((error: unknown) => {
      throw unreachable(error);
    });
    if (!response.ok || !response.body) throw new DatasetError('UNAVAILABLE', `cannot download ${url}: HTTP ${response.status}. ${manual}`);
    const hash = createHash('md5');
    let bytes = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        alive();
        hash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), tap, createWriteStream(file)).catch((error: unknown) => {
      throw unreachable(error);
    });
    const actual = hash.digest('hex');
    if (actual !== md5) throw new DatasetError('CORRUPT', `${url}: MD5 ${actual} does not match the published ${md5} (download damaged or wrong file). ${manual}`);
    return bytes;
  } finally {
    clearTimeout(stallTimer);
  }
}
