import { RunState, runStateToJSON } from '@conjugate/proto';
import { EXIT } from '../cli-error';
import { followRun } from '../follow-run';
import type { Output } from '../output';
import { connect } from '../rpc';

/** `conjugate watch RUN`: the run's history, then live progress until it ends. Exit 0 only if it completed. */
export async function watchRun(runId: string, flags: { training?: string }, output: Output): Promise<number> {
  const training = await connect('training', flags.training);
  try {
    const result = await followRun(training.stream(() => training.client.watchRun({ runId })), output);
    if (!output.json) output.info(`run ${runId} ${runStateToJSON(result.finalState).replace('RUN_STATE_', '').toLowerCase()} after ${result.epochs.length} epoch evaluations${result.reason ? ` — ${result.reason}` : ''}`);
    return result.finalState === RunState.RUN_STATE_COMPLETED ? EXIT.ok : EXIT.failed;
  } finally {
    training.close();
  }
}
