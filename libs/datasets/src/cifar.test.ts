import { CIFAR_RECORD_BYTES, concatImages, encodeCifarBatch, parseCifarBatch, type ByteImages } from './cifar';
import { Prng } from './prng';

function randomImages(count: number, seed: number): ByteImages {
  const prng = new Prng(seed);
  return {
    count,
    pixels: Uint8Array.from({ length: count * 32 * 32 * 3 }, () => prng.nextInt(256)),
    labels: Int32Array.from({ length: count }, () => prng.nextInt(10)),
  };
}

describe('CIFAR-10 binary batches', () => {
  it('round-trips HWC images through the planar record format', () => {
    const images = randomImages(5, 1);
    const bytes = encodeCifarBatch(images);
    expect(bytes.length).toBe(5 * CIFAR_RECORD_BYTES);
    const parsed = parseCifarBatch(bytes, 'data_batch_1.bin');
    expect(parsed.count).toBe(5);
    expect(parsed.labels).toEqual(images.labels);
    expect(parsed.pixels).toEqual(images.pixels);
  });

  it('lays a record out as label, then the red, green and blue planes', () => {
    const record = new Uint8Array(CIFAR_RECORD_BYTES);
    record[0] = 7;
    record[1 + 5] = 11; // red of pixel 5
    record[1 + 1024 + 5] = 22; // green
    record[1 + 2048 + 5] = 33; // blue
    const parsed = parseCifarBatch(record, 'one.bin');
    expect(parsed.labels[0]).toBe(7);
    expect(Array.from(parsed.pixels.subarray(15, 18))).toEqual([11, 22, 33]);
  });

  it('rejects a truncated file and a bad label as CORRUPT', () => {
    const bytes = encodeCifarBatch(randomImages(2, 2));
    expect(() => parseCifarBatch(bytes.subarray(0, bytes.length - 1), 'test_batch.bin')).toThrow(
      'test_batch.bin: 6145 bytes is not a whole number of 3073-byte CIFAR-10 records (truncated?)',
    );
    expect(() => parseCifarBatch(new Uint8Array(0), 'empty.bin')).toThrow(/not a whole number/);
    bytes[CIFAR_RECORD_BYTES] = 12;
    expect(() => parseCifarBatch(bytes, 'test_batch.bin')).toThrow('test_batch.bin: record 1 has label 12, CIFAR-10 labels are 0..9');
  });

  it('concatenates batches in order', () => {
    const a = randomImages(2, 3);
    const b = randomImages(3, 4);
    const all = concatImages([a, b]);
    expect(all.count).toBe(5);
    expect(Array.from(all.labels)).toEqual([...a.labels, ...b.labels]);
    expect(all.pixels.subarray(a.pixels.length)).toEqual(b.pixels);
  });
});
