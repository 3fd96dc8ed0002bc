import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Lets tfjs-backend-wasm's multithreaded build (XNNPACK on a pthreadpool) run under Node, where
 * tfjs 4.22 disables it. Three things stand in its way, each worked around only while `init` runs:
 *  - the WASM_HAS_MULTITHREAD_SUPPORT flag is hard-wired to false under Node: we set it;
 *  - Emscripten starts its pthread workers from a blob: URL, which Node's Worker cannot load: we
 *    write the same worker script (tfjs inlines it in its Node bundle) to a temp file, and make
 *    the worker import the threaded module from its file in wasm-out/ instead of from a blob;
 *  - the thread pool is sized from os.cpus().length / 2 (it assumes hyper-threading): we report
 *    2 × threads cores while the module starts.
 */
export async function withWasmThreads<T>(threads: number, init: () => Promise<T>): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  const workerFile = writeWorkerScript();
  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  const oneCpu = cpus()[0];
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  URL.createObjectURL = (blob: Blob) => (blob?.type === 'application/javascript' ? workerFile : createObjectURL(blob));
  os.cpus = () => Array.from({ length: 2 * threads }, () => oneCpu);
  try {
    const result = await init();
    unrefWorkers();
    return result;
  } finally {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
  }
}

/** The pool's workers idle forever; unref'd, they no longer keep the process from exiting. */
function unrefWorkers(): void {
  type PThreads = { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] };
  const module = (tf.backend() as unknown as { wasm: { PThread?: PThreads } }).wasm;
  const pthreads = module.PThread;
  if (!pthreads) throw new Error('threaded wasm module exposes no PThread: cannot release its workers');
  for (const worker of [...pthreads.runningWorkers, ...pthreads.unusedWorkers]) worker.unref();
}

function writeWorkerScript(): string {
  const bundle = require.resolve('@tensorflow/tfjs-backend-wasm');
  const threadedModule = join(dirname(bundle), '..', 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const inlined = /^var wasmWorkerContents = (".*");$/m.exec(readFileSync(bundle, 'utf8'));
  if (!inlined) throw new Error(`no inlined pthread worker script in ${bundle}: tfjs-backend-wasm changed`);
  // As tfjs does before making its blob: the inlined script's "\n" escapes must stay escapes.
  const workerScript = (JSON.parse(inlined[1]) as string).replace(/\n/g, '\\n');
  const script = `URL.createObjectURL = () => ${JSON.stringify(threadedModule)}; URL.revokeObjectURL = () => {};\n${workerScript}`;
  // Named by its content: every process of this installation reuses one file, none is left per process.
  const dir = join(os.tmpdir(), 'conjugate');
  const file = join(dir, `wasm-pthread-worker-${createHash('sha256').update(script).digest('hex').slice(0, 16)}.js`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, script);
    renameSync(partial, file); // atomic: a process starting beside this one never reads half a file
  }
  return file;
}
