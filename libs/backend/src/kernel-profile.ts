import * as tf from '@tensorflow/tfjs-core';

/** Time spent in one kernel across a profiled function, per call of that function. */
export interface KernelTiming {
  kernel: string;
  /** Input shapes, e.g. "[128,28,28,1] [3,3,1,16]": one entry per kernel and shapes. */
  shapes: string;
  /** Invocations per run. */
  calls: number;
  /** Milliseconds per run (median over the runs). */
  ms: number;
}

export interface KernelProfile {
  /** Wall time per run, median (includes JS overhead outside kernels). */
  wallMs: number;
  /** Sum of kernel times per run (median run). */
  kernelMs: number;
  /** Slowest kernels first. */
  kernels: KernelTiming[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Per-kernel time of `run` (tf.profile; the backend times each top-level kernel synchronously),
 * aggregated by kernel name and input shapes, medians over `runs` runs. Whatever `run` returns is disposed.
 */
export async function profileKernels(run: () => tf.TensorContainer, runs = 3): Promise<KernelProfile> {
  const checkErrors = tf.env().getBool('CHECK_COMPUTATION_FOR_ERRORS');
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false); // it reads every output back: not our cost
  try {
    const perRun: Map<string, { calls: number; ms: number }>[] = [];
    const walls: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const info = await tf.profile(() => {
        tf.dispose(run());
      });
      walls.push(performance.now() - start);
      const byKey = new Map<string, { calls: number; ms: number }>();
      for (const k of info.kernels) {
        const key = `${k.name} ${k.inputShapes.map((shape) => JSON.stringify(shape)).join(' ')}`;
        const entry = byKey.get(key) ?? { calls: 0, ms: 0 };
        entry.calls += 1;
        entry.ms += Number(k.kernelTimeMs) || 0;
        byKey.set(key, entry);
      }
      perRun.push(byKey);
    }
    const keys = new Set(perRun.flatMap((m) => [...m.keys()]));
    const kernels = [...keys]
      .map((key) => ({
        kernel: key.split(' ')[0],
        shapes: key.slice(key.indexOf(' ') + 1),
        calls: perRun[0].get(key)?.calls ?? 0,
        ms: median(perRun.map((m) => m.get(key)?.ms ?? 0)),
      }))
      .sort((a, b) => b.ms - a.ms);
    const totals = perRun.map((m) => [...m.values()].reduce((s, e) => s + e.ms, 0));
    return { wallMs: median(walls), kernelMs: median(totals), kernels };
  } finally {
    tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', checkErrors);
  }
}
