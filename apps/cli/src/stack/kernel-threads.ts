import { availableParallelism } from 'node:os';

export interface KernelThreadsPlan {
  /** CONJUGATE_KERNEL_THREADS of the training-service, and of each evaluation replica (empty: the user's own setting reaches every process). */
  training: Record<string, string>;
  evaluation: Record<string, string>;
}

/**
 * How the stack's processes share the cores among their kernel threads, so that none oversubscribes
 * the machine (a helper thread waiting for a busy core costs more than it saves). While an epoch's
 * evaluation runs beside the next epoch's training (the default), training keeps one core and the
 * evaluation replicas share the others, one at least each; when they take turns (EVALUATIONS_IN_FLIGHT=0)
 * each gets every core in its turn, the replicas shared out. A CONJUGATE_KERNEL_THREADS the user set is left alone.
 */
export function kernelThreadsPlan(replicas: number, inTurn: boolean, env = process.env, cores = availableParallelism()): KernelThreadsPlan {
  if (env.CONJUGATE_KERNEL_THREADS) return { training: {}, evaluation: {} };
  const threads = (n: number) => ({ CONJUGATE_KERNEL_THREADS: String(Math.max(1, Math.min(8, Math.floor(n)))) });
  const evaluationCores = inTurn ? cores : cores - 1;
  return { training: threads(inTurn ? cores : 1), evaluation: threads(evaluationCores / Math.max(1, replicas)) };
}
