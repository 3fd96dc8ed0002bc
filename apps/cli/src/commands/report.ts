import { resolve } from 'node:path';
import { connectNatsBus } from '@conjugate/bus';
import { epochRows, writeReport } from '@conjugate/report';
import type { EmbeddingSnapshot } from '@conjugate/proto';
import { readStackFile } from '../addresses';
import { epochTable } from '../epoch-table';
import type { Output } from '../output';
import { connect } from '../rpc';

/**
 * A run's embedding snapshots, replayed from the JetStream stream (WatchRun does not replay them).
 * The replay has no end marker, so stop once it has been quiet for `quietMs`.
 */
async function snapshotsFromBus(natsUrl: string, runId: string, quietMs = 1500): Promise<EmbeddingSnapshot[]> {
  const bus = await connectNatsBus({ url: natsUrl, name: 'conjugate-report' });
  const snapshots: EmbeddingSnapshot[] = [];
  const abort = new AbortController();
  let quiet = setTimeout(() => abort.abort(), quietMs * 3);
  try {
    for await (const { event } of bus.subscribe({ runId, replay: true, signal: abort.signal })) {
      clearTimeout(quiet);
      quiet = setTimeout(() => abort.abort(), quietMs);
      if (event.event?.$case === 'embedding' && event.event.value.snapshot) snapshots.push(event.event.value.snapshot);
    }
  } finally {
    clearTimeout(quiet);
    await bus.close();
  }
  return snapshots;
}

/** `conjugate report RUN --out DIR`: the run's figures (SVG + PNG), metrics.csv and metrics.json. */
export async function writeRunReport(runId: string, flags: { out: string; class?: number; training?: string; nats?: string }, output: Output): Promise<number> {
  const training = await connect('training', flags.training);
  try {
    const run = await training.call(training.client.getRun, { runId });
    const natsUrl = flags.nats ?? process.env.NATS_URL ?? (await readStackFile())?.nats;
    const snapshots = natsUrl ? await snapshotsFromBus(natsUrl, runId) : [];
    if (!natsUrl) output.info('no NATS to replay embedding snapshots from (in-memory bus): the t-SNE figures will say so');
    const files = await writeReport(run, snapshots, resolve(flags.out), { regionClass: flags.class });
    output.result({ run_id: runId, epochs: run.epochs.length, snapshots: snapshots.length, files },
      () => [epochTable(epochRows(run)), `report of run ${runId}: ${run.epochs.length} epochs, ${snapshots.length} embedding snapshots`, ...files.map((f) => `  ${f.path}  ${f.bytes} bytes`)].join('\n'));
    return 0;
  } finally {
    training.close();
  }
}
