import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceError } from '@grpc/grpc-js';
import { RunState, type Run } from '@conjugate/proto';
import type { TrainingClient } from '@conjugate/clients';

export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

const TERMINAL = [RunState.RUN_STATE_COMPLETED, RunState.RUN_STATE_FAILED, RunState.RUN_STATE_STOPPED];

/** Follows WatchRun until the run ends and returns the final record. */
export async function waitForEnd(client: TrainingClient, runId: string): Promise<Run> {
  for await (const event of client.watchRun(runId)) {
    if (event.event?.$case === 'status' && TERMINAL.includes(event.event.value.state)) break;
  }
  return client.getRun(runId);
}

/** The gRPC status code and details a call was refused with. */
export async function refusal(call: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await call;
  } catch (error) {
    const { code, details } = error as ServiceError;
    return { code, details };
  }
  throw new Error('expected the call to be refused');
}
