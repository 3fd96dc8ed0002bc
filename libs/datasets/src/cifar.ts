import { DatasetError } from './errors';

/** One CIFAR-10 binary record: a label byte, then 1024 red, 1024 green, 1024 blue bytes (32×32 row-major). */
export const CIFAR_RECORD_BYTES = 1 + 3 * 32 * 32;
const PIXELS = 32 * 32;

/** Images as uint8 [N, 32, 32, 3] (channels last, as the models take them) and labels. */
export interface ByteImages {
  count: number;
  pixels: Uint8Array;
  labels: Int32Array;
}

/** Parses one `data_batch_N.bin` / `test_batch.bin`. A length that is not whole records, or a label > 9, is CORRUPT. */
export function parseCifarBatch(bytes: Uint8Array, name: string): ByteImages {
  if (bytes.length === 0 || bytes.length % CIFAR_RECORD_BYTES !== 0) {
    throw new DatasetError(
      'CORRUPT',
      `${name}: ${bytes.length} bytes is not a whole number of ${CIFAR_RECORD_BYTES}-byte CIFAR-10 records (truncated?)`,
    );
  }
  const count = bytes.length / CIFAR_RECORD_BYTES;
  const pixels = new Uint8Array(count * PIXELS * 3);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const record = n * CIFAR_RECORD_BYTES;
    const label = bytes[record];
    if (label > 9) throw new DatasetError('CORRUPT', `${name}: record ${n} has label ${label}, CIFAR-10 labels are 0..9`);
    labels[n] = label;
    const out = n * PIXELS * 3;
    // Planar RGB → interleaved HWC.
    for (let p = 0; p < PIXELS; p++) {
      pixels[out + 3 * p] = bytes[record + 1 + p];
      pixels[out + 3 * p + 1] = bytes[record + 1 + PIXELS + p];
      pixels[out + 3 * p + 2] = bytes[record + 1 + 2 * PIXELS + p];
    }
  }
  return { count, pixels, labels };
}

/** Inverse of parseCifarBatch, for fixtures: HWC uint8 images and labels → the binary batch format. */
export function encodeCifarBatch(images: ByteImages): Uint8Array {
  const out = new Uint8Array(images.count * CIFAR_RECORD_BYTES);
  for (let n = 0; n < images.count; n++) {
    const record = n * CIFAR_RECORD_BYTES;
    out[record] = images.labels[n];
    for (let p = 0; p < PIXELS; p++) {
      for (let c = 0; c < 3; c++) out[record + 1 + c * PIXELS + p] = images.pixels[n * PIXELS * 3 + 3 * p + c];
    }
  }
  return out;
}

/** Concatenates batches in order (data_batch_1..5 → the 50 000-image train split). */
export function concatImages(parts: ByteImages[]): ByteImages {
  const count = parts.reduce((sum, part) => sum + part.count, 0);
  const pixels = new Uint8Array(parts.reduce((sum, part) => sum + part.pixels.length, 0));
  const labels = new Int32Array(count);
  let p = 0;
  let l = 0;
  for (const part of parts) {
    pixels.set(part.pixels, p);
    labels.set(part.labels, l);
    p += part.pixels.length;
    l += part.count;
  }
  return { count, pixels, labels };
}
