import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo } from '@tensorflow/tfjs-core';

/** The exports of libs/backend/assembly: every argument a byte offset into the backend's memory or a size. */
export interface SimdKernels {
  conv2d(
    x: number, w: number, bias: number, y: number, zeros: number, spare: number,
    batch: number, inH: number, inW: number, channels: number, outH: number, outW: number, outChannels: number,
    fh: number, fw: number, sh: number, sw: number, top: number, left: number, relu: boolean,
  ): void;
  columnSums(x: number, out: number, rows: number, width: number): void;
  maxPool2x2Grad(x: number, y: number, dy: number, dx: number, batch: number, inH: number, inW: number, outH: number, outW: number, channels: number): void;
  convFilterGradient(
    x: number, dy: number, dw: number,
    batch: number, inH: number, inW: number, channels: number, outH: number, outW: number, outChannels: number,
    fh: number, fw: number, sh: number, sw: number, top: number, left: number,
  ): void;
  convInputGradient(
    dy: number, w: number, dx: number, wt: number, columns: number,
    batch: number, inH: number, inW: number, channels: number, outH: number, outW: number, outChannels: number,
    fh: number, fw: number, sh: number, sw: number, padTop: number, padLeft: number,
  ): void;
}

const sourceDir = join(__dirname, '..', '..', 'assembly');
const ascPackageDir = dirname(require.resolve('assemblyscript/package.json'));

/**
 * Flags for asc: the module imports the backend's memory and must never write to it on its own,
 * so no runtime, no assertions, no abort messages (each would be a data segment written at load).
 */
function ascFlags(sharedMemory: boolean): string[] {
  const flags = ['--optimizeLevel', '3', '--runtime', 'stub', '--importMemory', '--noAssert', '--use', 'abort=', '--enable', 'simd'];
  // The multithreaded backend's memory is shared, with a 4 GiB maximum the import must match.
  return sharedMemory ? [...flags, '--enable', 'threads', '--sharedMemory', '--maximumMemory', '65536'] : flags;
}

function cacheDir(): string {
  return process.env.CONJUGATE_CACHE_DIR || join(homedir(), '.cache', 'conjugate');
}

/** Same sources, compiler and flags ⇒ same file name: a cached build is reused, a changed one is not. */
function buildKey(sharedMemory: boolean): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(join(ascPackageDir, 'package.json')));
  hash.update(ascFlags(sharedMemory).join(' '));
  for (const file of readdirSync(sourceDir).filter((f) => f.endsWith('.ts')).sort()) {
    hash.update(file).update(readFileSync(join(sourceDir, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Runs the AssemblyScript compiler in a child process (it is an ES module; our code is CommonJS). */
async function compile(outFile: string, sharedMemory: boolean): Promise<void> {
  const partial = `${outFile}.${process.pid}.partial`;
  const asc = join(ascPackageDir, 'bin', 'asc.js');
  try {
    await promisify(execFile)(process.execPath, [asc, join(sourceDir, 'index.ts'), '--outFile', partial, ...ascFlags(sharedMemory)], { cwd: sourceDir });
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

async function loadModule(sharedMemory: boolean): Promise<WebAssembly.Module> {
  const name = `simd-kernels-${buildKey(sharedMemory)}.wasm`;
  let file = join(cacheDir(), name);
  if (!existsSync(file)) {
    file = join(writableDir(), name);
    if (!existsSync(file)) await compile(file, sharedMemory);
  }
  return new WebAssembly.Module(readFileSync(file));
}

const loading = new Map<boolean, Promise<void>>();
const modules = new Map<boolean, WebAssembly.Module>();
const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();

/**
 * Compiles the SIMD kernels, or finds them in CONJUGATE_CACHE_DIR (default ~/.cache/conjugate),
 * once per process. Kernels are synchronous: the wasm loader awaits this before the backend runs.
 */
export function prepareSimdKernels(sharedMemory = false): Promise<void> {
  let done = loading.get(sharedMemory);
  if (done === undefined) {
    done = loadModule(sharedMemory).then((module) => void modules.set(sharedMemory, module));
    done.catch(() => loading.delete(sharedMemory));
    loading.set(sharedMemory, done);
  }
  return done;
}

function backendMemory(backend: BackendWasm): WebAssembly.Memory {
  const module = backend.wasm as unknown as { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
  const memory = module.wasmMemory ?? module.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error('tfjs-backend-wasm does not expose its WebAssembly.Memory (Module.asm.memory)');
  return memory;
}

/** The SIMD kernels, instantiated on the backend's own memory (once per backend). */
export function simdKernels(backend: BackendWasm): SimdKernels {
  const memory = backendMemory(backend);
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    const sharedMemory = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const module = modules.get(sharedMemory);
    if (module === undefined) throw new Error(`SIMD kernels not compiled for ${sharedMemory ? 'shared' : 'unshared'} memory: await prepareSimdKernels() before the wasm backend runs`);
    kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdKernels;
    instances.set(memory, kernels);
  }
  return kernels;
}

/** Byte offset of a tensor's data in the backend's memory. */
export function heapOffset(backend: BackendWasm, info: TensorInfo): number {
  return (backend.dataIdMap.get(info.dataId) as unknown as { memoryOffset: number }).memoryOffset;
}
