import type { Subscription } from './subscription';
import type { EmbeddingEvent, EpochEvent, ProgressEvent, RunEvent, RunStatusEvent } from '@conjugate/proto';

/** One delivered event. `seq` is its position in the run-event history (1, 2, ...); 0 for progress,
 *  which is ephemeral and never stored. */
export interface BusMessage {
  seq: number;
  event: RunEvent;
}

export interface SubscribeOptions {
  /** Only this run's events; every run's when omitted. */
  runId?: string;
  /** Deliver the stored history (status, epoch, embedding) first, then live events. */
  replay: boolean;
  /** Deliver only stored events with seq greater than this (resume after a disconnect). Implies replay. */
  afterSeq?: number;
  /** Ends the iteration (as does `break` in a for-await loop). */
  signal?: AbortSignal;
}

/** Run events, typed. Implemented over NATS JetStream (connectNatsBus) and in memory (createMemoryBus). */
export interface EventBus {
  /** Stored; a retry of the same (run, state, at_ms) is stored once. */
  publishStatus(event: RunStatusEvent): Promise<void>;
  /** Stored with message id `<runId>.epoch.<epoch>`, so a retried publish is stored once. */
  publishEpoch(event: EpochEvent): Promise<void>;
  /** Ephemeral: delivered to live subscribers only, never stored or replayed. */
  publishProgress(event: ProgressEvent): Promise<void>;
  /** Stored with message id `<runId>.embedding.<epoch>`. */
  publishEmbedding(event: EmbeddingEvent): Promise<void>;
  /** Starts at once; iterate it (for await) to receive. Progress events arrive live only, with seq 0. */
  subscribe(options: SubscribeOptions): Subscription;
  /** Ends every subscription and releases the connection. */
  close(): Promise<void>;
}
