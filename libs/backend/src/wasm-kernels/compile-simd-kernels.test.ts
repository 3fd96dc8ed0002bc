import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compiledSimdKernels } from './compile-simd-kernels';

// The kernels run inside the wasm backend's memory: the module must import that memory and must
// not carry data segments, which would be written over the backend's tensors when it loads.
const cacheDir = mkdtempSync(join(tmpdir(), 'conjugate-simd-'));
beforeAll(() => {
  process.env.CONJUGATE_CACHE_DIR = cacheDir;
});
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

/** Ids of the module's sections (11 = data). */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let at = 8; // magic and version
  while (at < bytes.length) {
    ids.push(bytes[at++]);
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      size |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
    at += size;
  }
  return ids;
}

test.each([false, true])('relaxed SIMD %s: no data segments', async (relaxedSimd) => {
  expect(sectionIds(await compiledSimdKernels({ sharedMemory: false, relaxedSimd }))).not.toContain(11);
});

test('imports nothing but the memory', async () => {
  const module = new WebAssembly.Module(await compiledSimdKernels({ sharedMemory: false, relaxedSimd: false }));
  expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
});

test('a build is compiled once, then read from the cache', async () => {
  const first = await compiledSimdKernels({ sharedMemory: true, relaxedSimd: false });
  const files = readdirSync(cacheDir);
  const again = await compiledSimdKernels({ sharedMemory: true, relaxedSimd: false });
  expect(Buffer.compare(again, first)).toBe(0);
  expect(readdirSync(cacheDir)).toEqual(files);
  expect(files.some((f) => f.endsWith('.partial'))).toBe(false);
});

test('an unusable cache directory falls back to a temporary one', async () => {
  // A directory below a regular file can never be created, not even by root.
  process.env.CONJUGATE_CACHE_DIR = join(cacheDir, 'not-a-directory', 'cache');
  writeFileSync(join(cacheDir, 'not-a-directory'), '');
  try {
    const bytes = await compiledSimdKernels({ sharedMemory: false, relaxedSimd: false });
    expect(WebAssembly.validate(bytes)).toBe(true);
  } finally {
    process.env.CONJUGATE_CACHE_DIR = cacheDir;
  }
});
