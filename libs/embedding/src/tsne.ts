import { TSNE } from '@saehrimnir/druidjs';

export interface TsneOptions {
  /** Effective number of neighbours; clamped below (points − 1) / 3 as t-SNE requires. */
  perplexity?: number;
  iterations?: number;
  seed?: number;
}

/** 2-D t-SNE coordinates of row vectors (druidjs' exact t-SNE; fine for a few thousand points). */
export function tsne2d(rows: number[][], options: TsneOptions = {}): number[][] {
  if (rows.length < 4) throw new Error(`t-SNE needs at least 4 points, got ${rows.length}`);
  const perplexity = Math.max(2, Math.min(options.perplexity ?? 30, Math.floor((rows.length - 1) / 3)));
  const model = new TSNE(rows, { d: 2, perplexity, seed: options.seed ?? 0 });
  const projected = model.transform(options.iterations ?? 500) as number[][];
  return projected.map((point) => [point[0], point[1]]);
}
