import { gzipSync } from 'node:zlib';
import { DatasetError } from './errors';
import { parseIdx } from './idx';

function idx(dims: number[], data: Uint8Array, type = 0x08): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

const pixels = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 10);

describe('parseIdx', () => {
  it('reads raw and gzipped files to the same array', () => {
    for (const bytes of [idx([2, 3, 4], pixels), gzipSync(idx([2, 3, 4], pixels))]) {
      const parsed = parseIdx(bytes, 'images');
      expect(parsed.dims).toEqual([2, 3, 4]);
      expect(Array.from(parsed.data)).toEqual(Array.from(pixels));
    }
  });

  it.each([
    ['bad magic', Buffer.from('PK\u0003\u0004 not an idx file'), /bad IDX magic/],
    ['a non-byte element type', idx([2, 3, 4], pixels, 0x0d), /element type 0xd is not unsigned byte/],
    ['a truncated header', idx([2, 3, 4], pixels).subarray(0, 10), /truncated IDX header/],
    ['truncated data', idx([2, 3, 4], pixels).subarray(0, 20), /need 24 data bytes, file has 4 \(truncated\)/],
    ['trailing bytes', Buffer.concat([idx([2, 3, 4], pixels), Buffer.from([1])]), /file has 25 \(trailing bytes\)/],
    ['a damaged gzip', gzipSync(idx([2, 3, 4], pixels)).subarray(0, 30), /not a valid gzip file/],
  ])('rejects %s as CORRUPT, naming the file', (_case, bytes, message) => {
    expect(() => parseIdx(bytes, '/data/x-idx3-ubyte')).toThrow(message);
    try {
      parseIdx(bytes, '/data/x-idx3-ubyte');
    } catch (error) {
      expect(error).toBeInstanceOf(DatasetError);
      expect((error as DatasetError).code).toBe('CORRUPT');
      expect((error as DatasetError).message).toContain('/data/x-idx3-ubyte');
    }
  });
});
