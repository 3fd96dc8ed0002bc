import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

/** Which build of libs/backend/assembly. */
export interface SimdBuild {
  /** For the multithreaded backend, whose memory is shared (with a 4 GiB maximum the import must match). */
  sharedMemory: boolean;
  /** Fused multiply-adds (relaxed SIMD); engines without it reject such a module. */
  relaxedSimd: boolean;
}

const sourceDir = join(__dirname, '..', '..', 'assembly');
const ascPackageDir = dirname(require.resolve('assemblyscript/package.json'));

/**
 * Flags for asc: the module imports the backend's memory and must never write to it on its own,
 * so no runtime, no assertions, no abort messages (each would be a data segment written at load).
 */
function ascFlags({ sharedMemory, relaxedSimd }: SimdBuild): string[] {
  const flags = ['--optimizeLevel', '3', '--runtime', 'stub', '--importMemory', '--noAssert', '--use', 'abort=', '--enable', 'simd'];
  if (relaxedSimd) flags.push('--enable', 'relaxed-simd');
  if (sharedMemory) flags.push('--enable', 'threads', '--sharedMemory', '--maximumMemory', '65536');
  return flags;
}

function cacheDir(): string {
  return process.env.CONJUGATE_CACHE_DIR || join(homedir(), '.cache', 'conjugate');
}

/** Same sources, compiler and flags ⇒ same file name: a cached build is reused, a changed one is not. */
function buildKey(build: SimdBuild): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(join(ascPackageDir, 'package.json')));
  hash.update(ascFlags(build).join(' '));
  for (const file of readdirSync(sourceDir).filter((f) => f.endsWith('.ts')).sort()) {
    hash.update(file).update(readFileSync(join(sourceDir, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Runs the AssemblyScript compiler in a child process (it is an ES module; our code is CommonJS). */
async function compile(outFile: string, build: SimdBuild): Promise<void> {
  const partial = `${outFile}.${process.pid}.partial`;
  const asc = join(ascPackageDir, 'bin', 'asc.js');
  try {
    await promisify(execFile)(process.execPath, [asc, join(sourceDir, 'index.ts'), '--outFile', partial, ...ascFlags(build)], { cwd: sourceDir });
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new Error(`AssemblyScript failed to compile the SIMD kernels in ${sourceDir}: ${stderr || message}`);
  }
  renameSync(partial, outFile); // atomic: concurrent compiles (test workers) never see half a file
}

/** The cache directory, or a temporary one where it is read-only (a container's image). */
function writableDir(): string {
  for (const dir of [cacheDir(), join(tmpdir(), 'conjugate')]) {
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
      return dir;
    } catch {
      // try the next
    }
  }
  throw new Error(`no writable directory for the compiled SIMD kernels (set CONJUGATE_CACHE_DIR; tried ${cacheDir()} and ${tmpdir()})`);
}

/**
 * The compiled kernels (wasm bytes): from CONJUGATE_CACHE_DIR (default ~/.cache/conjugate) when
 * built before on this machine, else compiled now (about a second) and cached there.
 */
export async function compiledSimdKernels(build: SimdBuild) {
  const name = `simd-kernels-${buildKey(build)}.wasm`;
  let file = join(cacheDir(), name);
  if (!existsSync(file)) {
    file = join(writableDir(), name);
    if (!existsSync(file)) await compile(file, build);
  }
  return readFileSync(file);
}
