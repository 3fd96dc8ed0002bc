import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { spawnTiedToParent } from '@conjugate/service-kit';

interface Passes {
  architecture: string;
  batchSize: number;
  passes: number;
}

/**
 * A gradient-passes.ts child on one kernel thread, warmed up and waiting for its start; spawned as the
 * service replicas are (their allocator settings, ended with this process).
 */
async function readyChild({ architecture, batchSize, passes }: Passes): Promise<{ child: ChildProcess; seconds: Promise<number> }> {
  const child = spawnTiedToParent(process.execPath, ['--import', 'tsx', join(__dirname, 'gradient-passes.ts'), architecture, String(batchSize), String(passes)], {
    env: { ...process.env, CONJUGATE_KERNEL_THREADS: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // Its stderr (the backend's fallback notice) is shown only if it fails.
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => { errors += chunk.toString(); });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const exited = once(child, 'exit').then(([code]) => { throw new Error(`gradient-passes exited with ${code} before its result:\n${errors}`); });
  const next = async () => {
    const line = await Promise.race([lines.next(), exited]);
    if (line.done) throw new Error('gradient-passes closed its output before its result');
    return line.value;
  };
  if ((await next()) !== 'ready') throw new Error('gradient-passes did not say ready');
  return { child, seconds: next().then((line) => (JSON.parse(line) as { seconds: number }).seconds) };
}

/** Wall seconds of `count` processes doing the same passes at once (started together, once all are warm). */
async function concurrentPasses(count: number, work: Passes): Promise<number> {
  const children = await Promise.all(Array.from({ length: count }, () => readyChild(work)));
  const started = performance.now();
  for (const { child } of children) child.stdin!.write('go\n');
  await Promise.all(children.map(({ seconds }) => seconds));
  return (performance.now() - started) / 1000;
}

/**
 * The machine's own ceiling for two single-threaded processes: one process does `passes` input-gradient
 * passes alone, then two do as many each at once; 2 · alone / together. On a machine whose two cores
 * are free and independent it is 2; shared caches, memory bandwidth, a neighbour or SMT siblings make
 * it less, and no sharding over two replicas can beat it.
 */
export async function twoProcessCeiling(work: Passes): Promise<number> {
  const alone = await concurrentPasses(1, work);
  const together = await concurrentPasses(2, work);
  return (2 * alone) / together;
}
