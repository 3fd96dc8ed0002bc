import { DatasetError } from './errors';
import { shuffledIndices } from './prng';

/** Which images of a split to serve, in batches. Field names follow StreamBatchesRequest. */
export interface BatchRequest {
  splitSize: number;
  batchSize: number;
  /** The service's configured maximum batch size. */
  maxBatchSize: number;
  /** Shuffle the whole split with this seed first; undefined = natural order. */
  shuffleSeed?: number;
  /** Skip this many images of the (shuffled) order, then serve at most `limit` (0 = to the end). */
  offset: number;
  limit: number;
  /** Explicit split indices, served in this order (repeats allowed); when non-empty the above are ignored. */
  indices: readonly number[];
  /** "train" or "test", for messages. */
  splitName: string;
}

/** The images to serve, in order, cut into batches of `batchSize` (the last may be smaller). */
export interface BatchPlan {
  order: Uint32Array;
  batchSize: number;
  numBatches: number;
  /** Split indices of batch `i` (a view into `order`). */
  batch(i: number): Uint32Array;
}

const bad = (message: string) => new DatasetError('BAD_REQUEST', message);

/** Validates a request and plans its batches. Bad values are BAD_REQUEST naming the field. */
export function planBatches(request: BatchRequest): BatchPlan {
  const { splitSize, batchSize, maxBatchSize, splitName } = request;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > maxBatchSize) {
    throw bad(`batch_size: must be between 1 and ${maxBatchSize}, got ${batchSize}`);
  }
  let order: Uint32Array;
  if (request.indices.length > 0) {
    order = new Uint32Array(request.indices.length);
    request.indices.forEach((index, i) => {
      if (!Number.isInteger(index) || index < 0 || index >= splitSize) {
        throw bad(`indices[${i}]: ${index} is outside the ${splitName} split (0..${splitSize - 1})`);
      }
      order[i] = index;
    });
  } else {
    const { offset, limit } = request;
    if (!Number.isInteger(offset) || offset < 0) throw bad(`offset: must be a non-negative integer, got ${offset}`);
    if (offset >= splitSize) throw bad(`offset: ${offset} is beyond the ${splitName} split of ${splitSize} images`);
    if (!Number.isInteger(limit) || limit < 0) throw bad(`limit: must be a non-negative integer (0 = to the end), got ${limit}`);
    if (request.shuffleSeed !== undefined && !Number.isSafeInteger(request.shuffleSeed)) {
      throw bad(`shuffle_seed: must be an integer, got ${request.shuffleSeed}`);
    }
    const all = request.shuffleSeed === undefined ? identity(splitSize) : shuffledIndices(splitSize, request.shuffleSeed);
    const end = limit === 0 ? splitSize : Math.min(splitSize, offset + limit);
    order = all.subarray(offset, end);
  }
  const numBatches = Math.ceil(order.length / batchSize);
  return { order, batchSize, numBatches, batch: (i) => order.subarray(i * batchSize, Math.min(order.length, (i + 1) * batchSize)) };
}

function identity(n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}
