import { LRUCache } from 'lru-cache';
import { StreamBatchesRequest, type Batch } from '@conjugate/proto';

/** Bytes a kept Batch message holds (its tensors' data and its indices). */
function bytesOf(batch: Batch): number {
  return (batch.images?.data.byteLength ?? 0) + (batch.labels?.data.byteLength ?? 0) + 8 * batch.indices.length + 64;
}

/**
 * Slices already streamed from the data-service, kept by request. Every epoch's evaluation reads the same
 * points — the robust slice in both spaces, the whole test split for both ensembles, the packet's points —
 * so a replica streams each once instead of once per step and epoch. A data-service serves the files it
 * loaded, unchanged while it runs, so entries need no expiry; the least recently used go past `maxBytes`.
 * Kept messages are shared by every reader: they are read, never changed.
 */
export class BatchCache {
  private readonly slices: LRUCache<string, Batch[]>;

  constructor(private readonly maxBytes: number) {
    this.slices = new LRUCache<string, Batch[]>({ maxSize: maxBytes });
  }

  /**
   * The slice's batches: kept ones, else those `fetch` streams, yielded as they come and kept once the
   * stream has ended (not when it fails, is left early, or outgrows the cache on the way). `signal` ends a
   * read of kept batches as an aborted call would.
   */
  async *stream(request: StreamBatchesRequest, fetch: () => AsyncIterable<Batch>, signal?: AbortSignal): AsyncGenerator<Batch> {
    const key = JSON.stringify(StreamBatchesRequest.toJSON(request));
    const kept = this.slices.get(key);
    if (kept) {
      // As a streamed call: an abort ends the loop with the signal's reason.
      for (const batch of kept) {
        signal?.throwIfAborted();
        yield batch;
      }
      return;
    }
    let batches: Batch[] | undefined = [];
    let bytes = 0;
    for await (const batch of fetch()) {
      if (batches) {
        batches.push(batch);
        bytes += bytesOf(batch);
        if (bytes > this.maxBytes) batches = undefined;
      }
      yield batch;
    }
    // At least 1: lru-cache takes no size 0 (an empty slice is an answer too).
    if (batches) this.slices.set(key, batches, { size: Math.max(1, bytes) });
  }

  /** Bytes kept now. */
  get size(): number {
    return this.slices.calculatedSize;
  }
}
