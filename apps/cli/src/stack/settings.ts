import { availableParallelism } from 'node:os';

/**
 * How many child processes of the attack- and of the uncertainty-service the embedded stack runs (0 = the
 * services in this process): by default one of each per core when the machine has more than one, so that
 * each evaluation step, sharded over them, takes the cores training leaves idle.
 * CONJUGATE_EVALUATION_PROCESSES=0 keeps everything in this process, =N runs N of each.
 */
export function evaluationProcesses(env = process.env, cores = availableParallelism()): number {
  const choice = env.CONJUGATE_EVALUATION_PROCESSES;
  if (choice === 'false') return 0;
  if (choice === 'true') return Math.max(cores, 1);
  return integerSetting(env, 'CONJUGATE_EVALUATION_PROCESSES', 0, 64) ?? (cores > 1 ? cores : 0);
}

/** EVALUATIONS_IN_FLIGHT as the training-service process reads it (0: train and evaluate in turn); unset: its default. */
export const evaluationsInFlight = (env = process.env) => integerSetting(env, 'EVALUATIONS_IN_FLIGHT', 0, 16);

function integerSetting(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  const count = Number(value);
  if (!Number.isInteger(count) || count < min || count > max) throw new Error(`${name}: an integer in [${min}, ${max}], got "${value}"`);
  return count;
}
