import { backOff } from 'exponential-backoff';
import { RunState, runStateToJSON, type EpochMetrics } from '@conjugate/proto';
import { CliError, EXIT } from '../cli-error';
import { followRun, type FollowResult } from '../follow-run';
import type { Output } from '../output';
import { connect } from '../rpc';

const FINAL = new Set([RunState.RUN_STATE_COMPLETED, RunState.RUN_STATE_FAILED, RunState.RUN_STATE_STOPPED]);
/** How long `watch` keeps reconnecting to a training-service that went away (CONJUGATE_RECONNECT_MS, default 3 min). */
const reconnectMs = () => Number(process.env.CONJUGATE_RECONNECT_MS ?? 180_000);

/**
 * `conjugate watch RUN`: the run's history, then live progress until it ends. Exit 0 only if it completed.
 * A training-service that goes away (a crash, a restart) is waited for: the watch reconnects with
 * backoff until CONJUGATE_RECONNECT_MS has passed without a connection, and resumes from the run's
 * history, each epoch printed once.
 */
export async function watchRun(runId: string, flags: { training?: string }, output: Output): Promise<number> {
  const epochs: EpochMetrics[] = [];
  // Reconnect only to a service that answered once: a stack that is not there fails at once (exit 3).
  let answered = false;
  let lostAt: number | undefined;
  const followOnce = async (): Promise<FollowResult> => {
    const training = await connect('training', flags.training);
    async function* events() {
      for await (const event of training.stream(() => training.client.watchRun({ runId }))) {
        answered = true;
        lostAt = undefined;
        yield event;
      }
    }
    try {
      const result = await followRun(events(), output, epochs);
      if (!FINAL.has(result.finalState)) throw new CliError(`the ${training.service} at ${training.address} ended the watch before the run ended`, EXIT.unreachable);
      return result;
    } finally {
      training.close();
    }
  };
  const result = await backOff(followOnce, {
    numOfAttempts: Number.MAX_SAFE_INTEGER, startingDelay: 250, maxDelay: 5000, timeMultiple: 2,
    retry: (error: unknown) => {
      if (!answered || !(error instanceof CliError) || error.exitCode !== EXIT.unreachable) return false;
      lostAt ??= Date.now();
      if (Date.now() - lostAt > reconnectMs()) return false;
      output.info(`lost the training-service (${error.message.split(' (')[0]}); reconnecting…`);
      return true;
    },
  });
  if (!output.json) output.info(`run ${runId} ${runStateToJSON(result.finalState).replace('RUN_STATE_', '').toLowerCase()} after ${result.epochs.length} epoch evaluations${result.reason ? ` — ${result.reason}` : ''}`);
  return result.finalState === RunState.RUN_STATE_COMPLETED ? EXIT.ok : EXIT.failed;
}
