import { Worker } from 'node:worker_threads';

/** Kernels a helper thread may run, by their index in this list (the index crosses in shared memory). */
const KERNELS = ['conv2d', 'convFilterGradient', 'convInputGradient', 'maxPool2x2', 'maxPool2x2Grad', 'reluGradient'] as const;
export type SplitKernel = (typeof KERNELS)[number];

const MAX_ARGUMENTS = 32;
/** Control words of one helper: the request's number, the number of the last one done, the kernel, its argument count, failed. */
const REQUEST = 0;
const DONE = 1;
const KERNEL = 2;
const ARGUMENT_COUNT = 3;
const FAILED = 4;
/**
 * How long a helper, and the caller awaiting it, poll before they sleep: the split calls of a training
 * step come a few milliseconds apart, and a sleeping virtual CPU takes long to wake (measured here:
 * 3 ms of polling instead of 0.2 took a cnn3 training step with 2 threads from 65 to 49 ms).
 */
const SPIN_MS = 3;
/** A helper that has not answered after this long is gone (it cannot be: the kernels are plain loops). */
const ANSWER_TIMEOUT_MS = 120_000;

// The helper: our kernel module instantiated on the same shared memory, running one call at a time.
const helperSource = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, argumentBuffer, kernels: names } = workerData;
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
const words = new Int32Array(control);
const args = new Float64Array(argumentBuffer);
let seen = 0;
for (;;) {
  // Poll a little before sleeping (see SPIN_MS).
  const spinUntil = performance.now() + ${SPIN_MS};
  while (Atomics.load(words, ${REQUEST}) === seen && performance.now() < spinUntil);
  Atomics.wait(words, ${REQUEST}, seen);
  seen = Atomics.load(words, ${REQUEST});
  try {
    kernels[names[words[${KERNEL}]]](...args.subarray(0, words[${ARGUMENT_COUNT}]));
    words[${FAILED}] = 0;
  } catch {
    words[${FAILED}] = 1;
  }
  Atomics.store(words, ${DONE}, seen);
  Atomics.notify(words, ${DONE});
}
`;

interface Helper {
  words: Int32Array;
  args: Float64Array;
  requests: number;
  /** The thread exited or stopped answering: its parts run on the caller's thread from then on. */
  gone: boolean;
}

/**
 * Helper threads that run our SIMD kernels on the wasm backend's shared memory beside this thread,
 * so one kernel call splits into parts (images of a batch, channels of a filter gradient) that run
 * at once. The caller blocks until every part is done, as it would for one call: no tensor is read
 * early. A part computes exactly what it would in one call over everything, so results are the same
 * bits with any number of threads.
 */
export class KernelThreads {
  private readonly helpers: Helper[];

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, helperCount: number) {
    if (!(memory.buffer instanceof SharedArrayBuffer)) throw new Error('kernel threads need the wasm backend\'s shared memory (its multithreaded build)');
    this.helpers = Array.from({ length: helperCount }, () => {
      const control = new SharedArrayBuffer(8 * Int32Array.BYTES_PER_ELEMENT);
      const argumentBuffer = new SharedArrayBuffer(MAX_ARGUMENTS * Float64Array.BYTES_PER_ELEMENT);
      const worker = new Worker(helperSource, { eval: true, workerData: { module, memory, control, argumentBuffer, kernels: KERNELS } });
      worker.unref(); // idle helpers wait forever; they must not keep the process alive
      const helper: Helper = { words: new Int32Array(control), args: new Float64Array(argumentBuffer), requests: 0, gone: false };
      worker.once('exit', () => (helper.gone = true));
      worker.once('error', () => (helper.gone = true));
      return helper;
    });
  }

  /** This thread and its helpers. */
  get count(): number {
    return this.helpers.length + 1;
  }

  /**
   * Calls `kernel` once per argument list, all at once: the first on this thread (`runHere`), the
   * others on helpers (on this thread too, after the first, for a helper that is gone). Returns when
   * all are done; throws if one failed.
   */
  run(kernel: SplitKernel, parts: number[][], runHere: (args: number[]) => void): void {
    if (parts.length > this.count) throw new Error(`${parts.length} parts of ${kernel} for ${this.count} threads`);
    const assigned = parts.slice(1).map((args, i) => ({ args, helper: this.helpers[i] }));
    const sent = assigned.filter(({ helper }) => !helper.gone);
    const local = assigned.filter(({ helper }) => helper.gone);
    for (const { helper, args } of sent) this.send(helper, kernel, args);
    let failure: unknown;
    try {
      runHere(parts[0]);
      for (const { args } of local) runHere(args);
    } catch (error) {
      failure = error;
    }
    for (const { helper } of sent) {
      if (!this.awaitAnswer(helper)) failure ??= new Error(`a kernel thread failed in ${kernel}`);
    }
    if (failure !== undefined) throw failure;
  }

  private send(helper: Helper, kernel: SplitKernel, args: number[]): void {
    if (args.length > MAX_ARGUMENTS) throw new Error(`${kernel}: ${args.length} arguments, at most ${MAX_ARGUMENTS}`);
    helper.args.set(args);
    helper.words[KERNEL] = KERNELS.indexOf(kernel);
    helper.words[ARGUMENT_COUNT] = args.length;
    Atomics.store(helper.words, REQUEST, ++helper.requests);
    Atomics.notify(helper.words, REQUEST);
  }

  private awaitAnswer(helper: Helper): boolean {
    const spinUntil = performance.now() + SPIN_MS;
    while (Atomics.load(helper.words, DONE) !== helper.requests && performance.now() < spinUntil);
    const deadline = Date.now() + ANSWER_TIMEOUT_MS;
    for (;;) {
      const done = Atomics.load(helper.words, DONE);
      if (done === helper.requests) return helper.words[FAILED] === 0;
      if (Date.now() > deadline) {
        helper.gone = true;
        throw new Error(`a kernel thread has not answered in ${ANSWER_TIMEOUT_MS / 1000} s; its share runs on the calling thread from now on`);
      }
      Atomics.wait(helper.words, DONE, done, 1000);
    }
  }
}

/** Splits [0, n) into at most `parts` contiguous ranges of whole `unit`s (sizes differ by at most one unit). */
export function splitRange(n: number, parts: number, unit = 1): [number, number][] {
  const units = Math.ceil(n / unit);
  const count = Math.max(1, Math.min(parts, units));
  return Array.from({ length: count }, (_, k) => {
    const start = Math.floor((k * units) / count) * unit;
    const end = Math.min(n, Math.floor(((k + 1) * units) / count) * unit);
    return [start, end] as [number, number];
  });
}
