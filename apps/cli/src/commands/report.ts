import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { epochRows, writeReport, type SoftwareVersion } from '@conjugate/report';
import { epochTable } from '../epoch-table';
import type { Output } from '../output';
import { connect } from '../rpc';

/** This checkout's version (root package.json) and git commit, when it is a git checkout. */
function softwareVersion(): SoftwareVersion {
  const root = join(__dirname, '..', '..', '..', '..');
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  try {
    return { version, commit: execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() };
  } catch {
    return { version };
  }
}

/** `conjugate report RUN --out DIR`: the run's figures (SVG + PNG), metrics.csv and metrics.json. */
export async function writeRunReport(runId: string, flags: { out: string; class?: number; training?: string }, output: Output): Promise<number> {
  const training = await connect('training', flags.training);
  try {
    const run = await training.call(training.client.getRun, { runId });
    const { snapshots } = await training.call(training.client.getEmbeddingSnapshots, { runId });
    const files = await writeReport(run, snapshots, resolve(flags.out), { regionClass: flags.class, software: softwareVersion() });
    output.result({ run_id: runId, epochs: run.epochs.length, snapshots: snapshots.length, files },
      () => [epochTable(epochRows(run)), `report of run ${runId}: ${run.epochs.length} epochs, ${snapshots.length} embedding snapshots`, ...files.map((f) => `  ${f.path}  ${f.bytes} bytes`)].join('\n'));
    return 0;
  } finally {
    training.close();
  }
}
