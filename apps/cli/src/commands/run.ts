import { Run } from '@conjugate/proto';
import type { Output } from '../output';
import { runConfigFrom, type RunOverrides } from '../run-config';
import { connect } from '../rpc';
import { watchRun } from './watch';

/** `conjugate run --preset NAME [...] [--follow]`: starts a run; with --follow, watches it to the end. */
export async function startRun(flags: RunOverrides & { preset: string; follow?: boolean; training?: string }, output: Output): Promise<number> {
  const config = runConfigFrom(flags.preset, flags);
  const training = await connect('training', flags.training);
  let run: Run;
  try {
    run = await training.call(training.client.startRun, { config });
  } finally {
    training.close();
  }
  output.result(Run.toJSON(run), () => `started run ${run.id} (${config.preset}: ${config.model?.architecture} on ${config.dataset}, ${config.epochs} epochs)` +
    (flags.follow ? '' : `\nfollow it with: npx conjugate watch ${run.id}`));
  return flags.follow ? watchRun(run.id, flags, output) : 0;
}
