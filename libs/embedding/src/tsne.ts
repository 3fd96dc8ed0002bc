import { setImmediate } from 'node:timers/promises';
import { TSNE } from '@saehrimnir/druidjs';

export interface TsneOptions {
  /** Effective number of neighbours; clamped below (points − 1) / 3 as t-SNE requires. */
  perplexity?: number;
  iterations?: number;
  seed?: number;
  /** Stops between iterations once aborted (a stopped run, a shutdown), rejecting with its reason. */
  signal?: AbortSignal;
}

/** Iterations between two yields to the event loop: a few milliseconds of work for a thousand points. */
const ITERATIONS_PER_YIELD = 5;

/**
 * 2-D t-SNE coordinates of row vectors (druidjs' exact t-SNE; fine for a few thousand points). It yields
 * to the event loop every few iterations, so the process keeps answering (health, other calls), and
 * stops once `options.signal` aborts; leaving the generator early frees druidjs' buffers.
 */
export async function tsne2d(rows: number[][], options: TsneOptions = {}): Promise<number[][]> {
  if (rows.length < 4) throw new Error(`t-SNE needs at least 4 points, got ${rows.length}`);
  options.signal?.throwIfAborted();
  const perplexity = Math.max(2, Math.min(options.perplexity ?? 30, Math.floor((rows.length - 1) / 3)));
  const model = new TSNE(rows, { d: 2, perplexity, seed: options.seed ?? 0 });
  let projected: number[][] = [];
  let iteration = 0;
  for (const step of model.generator(options.iterations ?? 500) as Iterable<number[][]>) {
    projected = step;
    if (++iteration % ITERATIONS_PER_YIELD === 0) {
      await setImmediate();
      options.signal?.throwIfAborted();
    }
  }
  return projected.map((point) => [point[0], point[1]]);
}
