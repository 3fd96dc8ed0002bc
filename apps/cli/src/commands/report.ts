import { resolve } from 'node:path';
import { writeReport } from '@conjugate/report';
import { RunState, type EmbeddingSnapshot, type RunEvent } from '@conjugate/proto';
import type { Output } from '../output';
import { connect } from '../rpc';

const FINAL = new Set([RunState.RUN_STATE_COMPLETED, RunState.RUN_STATE_FAILED, RunState.RUN_STATE_STOPPED]);

/** Embedding snapshots from WatchRun's replay. A live run's stream never ends, so stop once it goes quiet. */
async function collectSnapshots(events: AsyncGenerator<RunEvent>, live: boolean, quietMs = 1500): Promise<EmbeddingSnapshot[]> {
  const snapshots: EmbeddingSnapshot[] = [];
  for (;;) {
    const next = events.next();
    const outcome = live ? await Promise.race([next, new Promise<'quiet'>((r) => setTimeout(() => r('quiet'), quietMs).unref())]) : await next;
    if (outcome === 'quiet' || outcome.done) break;
    const event = outcome.value.event;
    if (event?.$case === 'embedding' && event.value.snapshot) snapshots.push(event.value.snapshot);
    if (event?.$case === 'status' && FINAL.has(event.value.state)) break;
  }
  await events.return(undefined);
  return snapshots;
}

/** `conjugate report RUN --out DIR`: the run's figures (SVG + PNG), metrics.csv and metrics.json. */
export async function writeRunReport(runId: string, flags: { out: string; class?: number; training?: string }, output: Output): Promise<number> {
  const training = await connect('training', flags.training);
  try {
    const run = await training.call(training.client.getRun, { runId });
    const snapshots = await collectSnapshots(training.stream(() => training.client.watchRun({ runId })), !FINAL.has(run.state));
    const files = await writeReport(run, snapshots, resolve(flags.out), { regionClass: flags.class });
    output.result({ run_id: runId, epochs: run.epochs.length, snapshots: snapshots.length, files },
      () => [`report of run ${runId}: ${run.epochs.length} epochs, ${snapshots.length} embedding snapshots`, ...files.map((f) => `  ${f.path}  ${f.bytes} bytes`)].join('\n'));
    return 0;
  } finally {
    training.close();
  }
}
