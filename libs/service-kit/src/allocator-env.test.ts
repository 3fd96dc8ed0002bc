import { once } from 'node:events';
import { ALLOCATOR_ENV } from './allocator-env';
import { spawnTiedToParent } from './child-spawn';

/** The environment a real child process sees, as JSON. */
async function childEnv(env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const child = spawnTiedToParent(process.execPath, ['-e', 'process.stdout.write(JSON.stringify(process.env))'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await once(child, 'exit');
  return JSON.parse(out) as Record<string, string>;
}

test('a spawned service gets the allocator settings, unless its environment sets them', async () => {
  const rest = { ...process.env };
  delete rest.MALLOC_MMAP_THRESHOLD_;
  delete rest.MALLOC_TRIM_THRESHOLD_;
  const plain = await childEnv(rest);
  expect(plain.MALLOC_MMAP_THRESHOLD_).toBe(ALLOCATOR_ENV.MALLOC_MMAP_THRESHOLD_);
  expect(plain.MALLOC_TRIM_THRESHOLD_).toBe(String(64 << 20));
  const own = await childEnv({ ...rest, MALLOC_TRIM_THRESHOLD_: '131072' });
  expect(own.MALLOC_TRIM_THRESHOLD_).toBe('131072');
  expect(own.MALLOC_MMAP_THRESHOLD_).toBe(ALLOCATOR_ENV.MALLOC_MMAP_THRESHOLD_);
});
