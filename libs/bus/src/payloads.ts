// Each subject carries the protobuf message of its kind; subscribers get them wrapped in the RunEvent union.
import { EmbeddingEvent, EpochEvent, ProgressEvent, RunEvent, RunStatusEvent } from '@conjugate/proto';
import type { EventKind } from './subjects';

export function decodePayload(kind: EventKind, data: Uint8Array): RunEvent {
  switch (kind) {
    case 'status':
      return { event: { $case: 'status', value: RunStatusEvent.decode(data) } };
    case 'epoch':
      return { event: { $case: 'epoch', value: EpochEvent.decode(data) } };
    case 'progress':
      return { event: { $case: 'progress', value: ProgressEvent.decode(data) } };
    case 'embedding':
      return { event: { $case: 'embedding', value: EmbeddingEvent.decode(data) } };
  }
}

/** The run id an event belongs to, whatever its kind. */
export function runIdOf(event: RunEvent): string {
  return event.event?.value.runId ?? '';
}

/** Message ids for deduplication: a retried publish of the same fact carries the same id. */
export function statusMessageId(event: RunStatusEvent): string {
  return `${event.runId}.status.${event.state}.${event.atMs}`;
}

export function epochMessageId(event: EpochEvent): string {
  return `${event.runId}.epoch.${requireEpoch(event.metrics?.epoch, 'metrics.epoch')}`;
}

export function embeddingMessageId(event: EmbeddingEvent): string {
  return `${event.runId}.embedding.${requireEpoch(event.snapshot?.epoch, 'snapshot.epoch')}`;
}

function requireEpoch(epoch: number | undefined, field: string): number {
  if (epoch === undefined) throw new Error(`${field} is required`);
  return epoch;
}
