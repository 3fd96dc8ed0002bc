import { resolve } from 'node:path';
import { epochRows, writeReport } from '@conjugate/report';
import { epochTable } from '../epoch-table';
import type { Output } from '../output';
import { connect } from '../rpc';

/** `conjugate report RUN --out DIR`: the run's figures (SVG + PNG), metrics.csv and metrics.json. */
export async function writeRunReport(runId: string, flags: { out: string; class?: number; training?: string }, output: Output): Promise<number> {
  const training = await connect('training', flags.training);
  try {
    const run = await training.call(training.client.getRun, { runId });
    const { snapshots } = await training.call(training.client.getEmbeddingSnapshots, { runId });
    const files = await writeReport(run, snapshots, resolve(flags.out), { regionClass: flags.class });
    output.result({ run_id: runId, epochs: run.epochs.length, snapshots: snapshots.length, files },
      () => [epochTable(epochRows(run)), `report of run ${runId}: ${run.epochs.length} epochs, ${snapshots.length} embedding snapshots`, ...files.map((f) => `  ${f.path}  ${f.bytes} bytes`)].join('\n'));
    return 0;
  } finally {
    training.close();
  }
}
