import { gunzipSync } from 'node:zlib';
import { DatasetError } from './errors';

/** An IDX array of unsigned bytes (the MNIST file format): its dimensions and row-major data. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

/** Gunzips when the bytes start with the gzip magic; `name` goes into error messages. */
export function maybeGunzip(bytes: Uint8Array, name: string): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new DatasetError('CORRUPT', `${name}: not a valid gzip file (${(error as Error).message})`);
  }
}

/**
 * Parses an IDX file of unsigned bytes (raw or gzip): magic 00 00 08 <ndims>, ndims big-endian
 * uint32 sizes, then exactly product(sizes) bytes. Anything else is CORRUPT, never a partial array.
 */
export function parseIdx(fileBytes: Uint8Array, name: string): IdxArray {
  const bytes = maybeGunzip(fileBytes, name);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DatasetError('CORRUPT', `${name}: bad IDX magic (expected 00 00 08 nn)`);
  }
  if (bytes[2] !== UBYTE) {
    throw new DatasetError('CORRUPT', `${name}: IDX element type 0x${bytes[2].toString(16)} is not unsigned byte (0x08)`);
  }
  const ndims = bytes[3];
  const headerBytes = 4 + 4 * ndims;
  if (ndims === 0 || bytes.length < headerBytes) throw new DatasetError('CORRUPT', `${name}: truncated IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerBytes;
  if (actual !== expected) {
    throw new DatasetError(
      'CORRUPT',
      `${name}: IDX dims [${dims.join(', ')}] need ${expected} data bytes, file has ${actual} (${actual < expected ? 'truncated' : 'trailing bytes'})`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}
