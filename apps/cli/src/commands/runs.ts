import { Run, RunState, runStateToJSON } from '@conjugate/proto';
import type { Output } from '../output';
import { connect } from '../rpc';

const describe = (run: Run) => {
  const state = runStateToJSON(run.state).replace('RUN_STATE_', '').toLowerCase();
  const last = run.epochs.find((e) => e.epoch === run.epochsDone);
  const accuracy = last ? ` test acc ${last.testAccuracy.toFixed(3)}` : '';
  return `${run.id.padEnd(24)} ${state.padEnd(10)} ${(run.config?.preset || '-').padEnd(18)} epoch ${Math.max(run.epochsDone, 0)}/${run.config?.epochs ?? '?'}${accuracy}  ${run.config?.name ?? ''}${run.state === RunState.RUN_STATE_FAILED ? ` — ${run.reason}` : ''}`;
};

/** `conjugate runs`: every run the training-service knows, newest first. */
export async function listRuns(flags: { training?: string }, output: Output): Promise<number> {
  const training = await connect('training', flags.training);
  try {
    const { runs } = await training.call(training.client.listRuns, {});
    const sorted = [...runs].sort((a, b) => b.createdAtMs - a.createdAtMs);
    output.result(sorted.map((r) => Run.toJSON({ ...r, epochs: [] })), () => (sorted.length ? sorted.map(describe).join('\n') : 'no runs yet: start one with `npx conjugate run --preset quick --follow`'));
    return 0;
  } finally {
    training.close();
  }
}
