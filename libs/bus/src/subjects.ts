// Subject layout. Stored kinds live on conjugate.runs.<runId>.{status,epoch,embedding}, all captured by the
// stream CONJUGATE_RUNS (subjects conjugate.runs.>). Progress is ephemeral, so it lives outside that prefix,
// on conjugate.progress.<runId>: never stored. (nats-server 2.9 allows one consumer filter, and it must be a
// subset of a stream subject, so the stream needs a single wildcard subject that a per-run filter fits in.)

export const SUBJECT_PREFIX = 'conjugate.runs';
export const PROGRESS_PREFIX = 'conjugate.progress';
export const STREAM_NAME = 'CONJUGATE_RUNS';

export const STORED_KINDS = ['status', 'epoch', 'embedding'] as const;
export type StoredKind = (typeof STORED_KINDS)[number];
export type EventKind = StoredKind | 'progress';

/** What the JetStream stream captures: every stored kind of every run. */
export const STREAM_SUBJECTS = [`${SUBJECT_PREFIX}.>`];

// A run id is one subject token: no dots, wildcards or whitespace, so it cannot widen a subscription.
const RUN_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export function assertRunId(runId: string): void {
  if (!RUN_ID_PATTERN.test(runId)) {
    throw new Error(`run_id ${JSON.stringify(runId)} is not a valid run id (1-128 of A-Z a-z 0-9 _ -)`);
  }
}

export function runSubject(runId: string, kind: EventKind): string {
  assertRunId(runId);
  return kind === 'progress' ? `${PROGRESS_PREFIX}.${runId}` : `${SUBJECT_PREFIX}.${runId}.${kind}`;
}

/** Subject filter for one run's stored events, or every run's when runId is undefined. */
export function storedFilter(runId: string | undefined): string {
  if (runId !== undefined) assertRunId(runId);
  return runId === undefined ? `${SUBJECT_PREFIX}.>` : `${SUBJECT_PREFIX}.${runId}.*`;
}

/** Subject filter for one run's progress, or every run's when runId is undefined. */
export function progressFilter(runId: string | undefined): string {
  if (runId !== undefined) assertRunId(runId);
  return `${PROGRESS_PREFIX}.${runId ?? '*'}`;
}

export function parseSubject(subject: string): { runId: string; kind: EventKind } {
  const parts = subject.split('.');
  const prefix = `${parts[0]}.${parts[1]}`;
  if (prefix === PROGRESS_PREFIX && parts.length === 3) return { runId: parts[2], kind: 'progress' };
  const kind = parts[3];
  if (prefix !== SUBJECT_PREFIX || parts.length !== 4 || !isStoredKind(kind)) {
    throw new Error(`subject ${JSON.stringify(subject)} is not a run event subject`);
  }
  return { runId: parts[2], kind };
}

function isStoredKind(kind: string): kind is StoredKind {
  return (STORED_KINDS as readonly string[]).includes(kind);
}
