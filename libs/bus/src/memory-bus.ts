// The embedded (single-process) bus: the same semantics as the NATS bus — history with sequence numbers,
// replay then live, dedupe by message id, progress never stored — kept in this process's memory.
import { EventEmitter } from 'node:events';
import { EmbeddingEvent, EpochEvent, ProgressEvent, RunStatusEvent } from '@conjugate/proto';
import type { BusMessage, EventBus, SubscribeOptions } from './event-bus';
import { decodePayload, embeddingMessageId, epochMessageId, runIdOf, statusMessageId } from './payloads';
import { assertRunId, type EventKind } from './subjects';
import { openSubscription, type Subscription } from './subscription';

export function createMemoryBus(): EventBus {
  const history: BusMessage[] = [];
  const storedIds = new Set<string>();
  const live = new EventEmitter();
  live.setMaxListeners(0);
  let closed = false;

  function deliver(kind: EventKind, runId: string, bytes: Uint8Array, messageId?: string): void {
    if (closed) throw new Error('the event bus is closed');
    assertRunId(runId);
    // Round-trip through protobuf so subscribers see exactly what a NATS subscriber would.
    const event = decodePayload(kind, bytes);
    if (messageId === undefined) {
      live.emit('message', { seq: 0, event });
      return;
    }
    if (storedIds.has(messageId)) return;
    storedIds.add(messageId);
    const message = { seq: history.length + 1, event };
    history.push(message);
    live.emit('message', message);
  }

  const openSubscriptions = new Set<Subscription>();

  function subscribe(options: SubscribeOptions): Subscription {
    if (options.runId !== undefined) assertRunId(options.runId);
    const wanted = (message: BusMessage) => options.runId === undefined || runIdOf(message.event) === options.runId;
    const subscription = openSubscription(options.signal, async (sink) => {
      if (closed) throw new Error('the event bus is closed');
      // History and the live listener are taken in one synchronous step: nothing is missed or seen twice.
      const after = options.afterSeq ?? (options.replay ? 0 : history.length);
      for (const message of history.slice(after)) if (wanted(message)) sink.push(message);
      const forward = (message: BusMessage) => wanted(message) && sink.push(message);
      live.on('message', forward);
      return () => {
        live.off('message', forward);
        openSubscriptions.delete(subscription);
      };
    });
    openSubscriptions.add(subscription);
    return subscription;
  }

  return {
    async publishStatus(event) {
      deliver('status', event.runId, RunStatusEvent.encode(event).finish(), statusMessageId(event));
    },
    async publishEpoch(event) {
      deliver('epoch', event.runId, EpochEvent.encode(event).finish(), epochMessageId(event));
    },
    async publishProgress(event) {
      deliver('progress', event.runId, ProgressEvent.encode(event).finish());
    },
    async publishEmbedding(event) {
      deliver('embedding', event.runId, EmbeddingEvent.encode(event).finish(), embeddingMessageId(event));
    },
    subscribe,
    async close() {
      closed = true;
      for (const subscription of openSubscriptions) subscription.close();
    },
  };
}
