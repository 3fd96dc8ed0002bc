import { DType, StreamBatchesRequest, type Batch } from '@conjugate/proto';
import { BatchCache } from './batch-cache';

// Batches of `images` float32 pixels each (4 bytes a pixel), numbered.
const batchesOf = (count: number, pixels = 25): Batch[] =>
  Array.from({ length: count }, (_, i) => ({
    images: { dtype: DType.DTYPE_FLOAT32, shape: [1, pixels, 1, 1], data: Buffer.alloc(4 * pixels, i) },
    labels: { dtype: DType.DTYPE_INT32, shape: [1], data: Buffer.alloc(4) },
    indices: [i], batchIndex: i, numBatches: count,
  }));
const request = (offset: number) => StreamBatchesRequest.fromPartial({ dataset: 'mnist', offset, limit: 3, batchSize: 1 });

/** A fetch that counts its calls and streams `batches` (failing after `failAfter` of them when given). */
function source(batches: Batch[], failAfter?: number) {
  const fetch = async function* () {
    fetch.calls++;
    for (const [i, batch] of batches.entries()) {
      if (i === failAfter) throw new Error('stream broke');
      yield batch;
    }
  };
  fetch.calls = 0;
  return fetch;
}

async function read(stream: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const batch of stream) out.push(batch);
  return out;
}

describe('BatchCache', () => {
  it('streams a slice once and serves the same request again from what it kept', async () => {
    const cache = new BatchCache(1 << 20);
    const fetch = source(batchesOf(3));
    const first = await read(cache.stream(request(0), fetch));
    const again = await read(cache.stream(StreamBatchesRequest.fromPartial({ ...request(0) }), fetch));
    expect(again).toEqual(first);
    expect(fetch.calls).toBe(1);
    // Another request (any field differs) is streamed.
    await read(cache.stream(request(1), fetch));
    expect(fetch.calls).toBe(2);
    expect(cache.size).toBeGreaterThan(2 * 3 * 100);
    // An empty slice is an answer too.
    const empty = source([]);
    expect(await read(cache.stream(request(5), empty))).toEqual([]);
    expect(await read(cache.stream(request(5), empty))).toEqual([]);
    expect(empty.calls).toBe(1);
  });

  it('keeps nothing of a stream that failed or was left early', async () => {
    const cache = new BatchCache(1 << 20);
    const failing = source(batchesOf(3), 2);
    await expect(read(cache.stream(request(0), failing))).rejects.toThrow('stream broke');
    for await (const _ of cache.stream(request(0), source(batchesOf(3)))) break;
    expect(cache.size).toBe(0);
    const fetch = source(batchesOf(3));
    await read(cache.stream(request(0), fetch));
    expect(fetch.calls).toBe(1);
  });

  it('keeps at most its bytes: a slice larger than all is streamed each time, the least recently used goes', async () => {
    const cache = new BatchCache(1000); // one slice of 3 × (100 + 4 + 8 + 64) bytes fits, not two
    const big = source(batchesOf(3, 250));
    await read(cache.stream(request(0), big));
    await read(cache.stream(request(0), big));
    expect(big.calls).toBe(2);
    const small = source(batchesOf(3));
    await read(cache.stream(request(1), small));
    await read(cache.stream(request(2), small));
    await read(cache.stream(request(1), small));
    expect(small.calls).toBe(3);
  });

  it('ends a read of kept batches with the reason of an aborted signal', async () => {
    const cache = new BatchCache(1 << 20);
    await read(cache.stream(request(0), source(batchesOf(3))));
    const abort = new AbortController();
    abort.abort(new Error('cancelled by the caller'));
    await expect(read(cache.stream(request(0), source(batchesOf(3)), abort.signal))).rejects.toThrow('cancelled by the caller');
  });
});
