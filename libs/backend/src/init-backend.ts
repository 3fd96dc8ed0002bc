import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { registerAllGradients } from './register-gradients';
import { withWasmThreads } from './wasm-threads';
import { registerWasmTrainingKernels } from './wasm-kernels/register';
import { kernelThreadCount, prepareSimdKernels, setKernelThreads } from './wasm-kernels/simd-module';

export type BackendName = 'node' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** Which of our three choices runs. */
  name: BackendName;
  /** tf.getBackend(): 'tensorflow', 'wasm' or 'cpu'. */
  tfBackend: string;
  /** True when CONJUGATE_BACKEND chose it. */
  forced: boolean;
  /** Why faster backends were skipped (empty when the first choice loaded). */
  fallbackReasons: string[];
  /** Threads the backend computes with (wasm: its thread pool; cpu: 1). */
  threads: number;
  /** Threads our SIMD kernels split their calls over (wasm only; 1 elsewhere). */
  kernelThreads: number;
}

const tfBackendNames: Record<BackendName, string> = { node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

// Required lazily: each load has side effects (kernel and backend registration) we only want
// for the backend actually chosen; tfjs-node is an optional dependency that may be absent.
const loaders: Record<BackendName, () => Promise<number>> = {
  node: async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-node');
    await setOrThrow('tensorflow');
    return 0;
  },
  wasm: async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
    const threads = threadsSetting('CONJUGATE_WASM_THREADS');
    const kernelThreads = threadsSetting('CONJUGATE_KERNEL_THREADS', Math.min(availableParallelism(), 8));
    // The threaded build's memory is shared: our kernels' helper threads work on it too.
    const shared = threads > 1 || kernelThreads > 1;
    await prepareSimdKernels(shared);
    if (shared) await withWasmThreads(threads, () => setOrThrow('wasm'));
    else await setOrThrow('wasm');
    setKernelThreads(kernelThreads);
    return wasm.getThreadsCount();
  },
  cpu: async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-backend-cpu');
    await setOrThrow('cpu');
    return 1;
  },
};

async function setOrThrow(tfName: string): Promise<void> {
  if (!(await tf.setBackend(tfName))) throw new Error(`tf.setBackend('${tfName}') failed to initialise`);
}

function parseForced(value: string | undefined): BackendName | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'node' || value === 'wasm' || value === 'cpu') return value;
  throw new Error(`CONJUGATE_BACKEND must be one of node, wasm, cpu; got "${value}"`);
}

/**
 * CONJUGATE_WASM_THREADS=N (opt-in, 1–8): tfjs's multithreaded build, XNNPACK on N threads (its pool
 * made the many small kernels slower here).
 * CONJUGATE_KERNEL_THREADS=N (1–8, default: every core up to 8): our SIMD kernels — the convolutions,
 * pooling and their gradients, most of a step's time — split each large call over N threads.
 */
function threadsSetting(name: 'CONJUGATE_WASM_THREADS' | 'CONJUGATE_KERNEL_THREADS', fallback = 1): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1 || threads > 8) {
    throw new Error(`${name} must be an integer from 1 to 8; got "${value}"`);
  }
  return threads;
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0];
}

async function chooseBackend(): Promise<BackendInfo> {
  const forced = parseForced(process.env.CONJUGATE_BACKEND);
  const order: BackendName[] = forced ? [forced] : ['node', 'wasm', 'cpu'];
  const fallbackReasons: string[] = [];
  registerAllGradients();
  for (const name of order) {
    try {
      const threads = await loaders[name]();
      const info: BackendInfo = { name, tfBackend: tf.getBackend(), forced: forced !== undefined, fallbackReasons, threads, kernelThreads: kernelThreadCount() };
      logChoice(info);
      return info;
    } catch (error) {
      if (forced) throw new Error(`CONJUGATE_BACKEND=${forced} but it cannot run: ${reasonOf(error)}`);
      fallbackReasons.push(`${name}: ${reasonOf(error)}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could start (${fallbackReasons.join('; ')})`);
}

function logChoice(info: BackendInfo): void {
  const line = `[conjugate/backend] TensorFlow.js backend: ${info.name} (${info.tfBackend}, ${info.threads || 'native'} threads${info.kernelThreads > 1 ? `, our kernels on ${info.kernelThreads}` : ''}${info.forced ? ', forced by CONJUGATE_BACKEND' : ''})`;
  if (info.fallbackReasons.length === 0) {
    console.info(line);
  } else {
    // Loud on purpose: a fallback is much slower than native TensorFlow and people should know why.
    console.warn(`${line}\n  FALLBACK — faster backends unavailable:\n  - ${info.fallbackReasons.join('\n  - ')}`);
  }
}

let chosen: Promise<BackendInfo> | undefined;

/**
 * Picks and initialises the TensorFlow.js backend, once per process: tfjs-node when it loads, else
 * wasm (with our training kernels), else pure-JS cpu; CONJUGATE_BACKEND=node|wasm|cpu forces one.
 * Later calls return the same result (and re-select it if someone switched backends meanwhile).
 */
export async function initBackend(): Promise<BackendInfo> {
  if (chosen === undefined) {
    chosen = chooseBackend();
    chosen.catch(() => (chosen = undefined));
  }
  const info = await chosen;
  if (tf.getBackend() !== tfBackendNames[info.name]) await setOrThrow(tfBackendNames[info.name]);
  return info;
}
