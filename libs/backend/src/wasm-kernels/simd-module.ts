import { setFlagsFromString } from 'node:v8';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { compiledSimdKernels } from './compile-simd-kernels';
import { KernelThreads, splitRange, type SplitKernel } from './kernel-threads';

/** The exports of libs/backend/assembly: every argument a byte offset into the backend's memory or a size. */
export interface SimdKernels {
  conv2d(
    x: number, w: number, bias: number, y: number, zeros: number, spare: number,
    batch: number, inH: number, inW: number, channels: number, outH: number, outW: number, outChannels: number,
    fh: number, fw: number, sh: number, sw: number, top: number, left: number, relu: boolean,
  ): void;
  columnSums(x: number, out: number, rows: number, width: number): void;
  maxPool2x2(x: number, y: number, batch: number, inH: number, inW: number, outH: number, outW: number, channels: number): void;
  reluGradient(dy: number, y: number, dx: number, n: number): void;
  maxPool2x2Grad(x: number, y: number, dy: number, dx: number, batch: number, inH: number, inW: number, outH: number, outW: number, channels: number): void;
  convFilterGradient(
    x: number, dy: number, dw: number,
    batch: number, inH: number, inW: number, channels: number, outH: number, outW: number, outChannels: number,
    fh: number, fw: number, sh: number, sw: number, top: number, left: number, firstChannel: number, endChannel: number,
  ): void;
  convInputGradient(
    dy: number, w: number, dx: number, wt: number, columns: number,
    batch: number, inH: number, inW: number, channels: number, outH: number, outW: number, outChannels: number,
    fh: number, fw: number, sh: number, sw: number, padTop: number, padLeft: number,
  ): void;
}

/**
 * Node 20's V8 (11.3) has relaxed SIMD behind a flag; later ones have it on. Fused multiply-adds
 * make the convolution kernels ~1.3× faster, so we switch it on before compiling ours.
 */
function allowRelaxedSimd(bytes: BufferSource): boolean {
  if (WebAssembly.validate(bytes)) return true;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(bytes);
}

async function loadModule(sharedMemory: boolean): Promise<WebAssembly.Module> {
  if (process.env.CONJUGATE_WASM_FMA !== '0') {
    const fused = await compiledSimdKernels({ sharedMemory, relaxedSimd: true });
    if (allowRelaxedSimd(fused)) return new WebAssembly.Module(fused);
  }
  return new WebAssembly.Module(await compiledSimdKernels({ sharedMemory, relaxedSimd: false }));
}

const loading = new Map<boolean, Promise<void>>();
const modules = new Map<boolean, WebAssembly.Module>();
const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();
const threadPools = new WeakMap<WebAssembly.Memory, KernelThreads>();
let threadCount = 1;

/**
 * Compiles the SIMD kernels, or finds them compiled in the cache (compile-simd-kernels.ts), once
 * per process. Kernels are synchronous: the wasm loader awaits this before the backend runs.
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

/**
 * Our kernels split each large call over `count` threads (this one and count − 1 helpers), which
 * needs the backend's shared memory (its multithreaded build). Set before the backend runs.
 */
export function setKernelThreads(count: number): void {
  threadCount = count;
}

export function kernelThreadCount(): number {
  return threadCount;
}

/** Calls with less work (multiply-adds or element visits) than this run on one thread: waking a helper costs ~50 µs. */
const MIN_SPLIT_WORK = 1 << 20;

/**
 * How a call over `units` independent units (images, channels) of `work` in all divides between
 * the threads: one range per thread that takes part, in `unit`-aligned steps.
 */
export function threadRanges(units: number, work: number, unit = 1): [number, number][] {
  return splitRange(units, work < MIN_SPLIT_WORK ? 1 : threadCount, unit);
}

/** Runs `kernel` once per argument list, at once over the threads (one list: here, as a plain call). */
export function runKernelParts(backend: BackendWasm, kernel: SplitKernel, parts: number[][]): void {
  const kernels = simdKernels(backend);
  const call = (args: number[]) => (kernels[kernel] as (...a: number[]) => void)(...args);
  if (parts.length === 1) return call(parts[0]);
  const memory = backendMemory(backend);
  let pool = threadPools.get(memory);
  if (pool === undefined) {
    pool = new KernelThreads(modules.get(true)!, memory, threadCount - 1);
    threadPools.set(memory, pool);
  }
  pool.run(kernel, parts, call);
}

/** Byte offset of a tensor's data in the backend's memory. */
export function heapOffset(backend: BackendWasm, info: TensorInfo): number {
  return (backend.dataIdMap.get(info.dataId) as unknown as { memoryOffset: number }).memoryOffset;
}
