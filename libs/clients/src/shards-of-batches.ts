/** Shards of work made of whole batches: `wanted`, but at most one per batch of `items` (when known), and at least one. */
export function shardsOfBatches(wanted: number, items: number | undefined, batchSize: number): number {
  const batches = items !== undefined && items > 0 ? Math.ceil(items / batchSize) : Infinity;
  return Math.max(1, Math.min(wanted, batches));
}
