import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { torchStepTimes, type StepTimes } from './step-times';
import type { TorchWorkload } from './workload';

/** Debian's Python, where `apt-get install -y python3-torch` puts PyTorch (PyPI is not reachable here). */
export const PYTHON = '/usr/bin/python3';
export const TORCH_SCRIPT = join(__dirname, '..', 'torch_paper_epoch.py');

export type TorchSide = { ok: true; times: StepTimes & { version: string; threads: number } } | { ok: false; reason: string; failed: boolean };

/**
 * Runs the workload in PyTorch (its progress on our stderr): the step times, or why there are none —
 * `failed: false` when PyTorch is simply not installed, true when the script itself failed.
 */
export function runTorchSide(workload: TorchWorkload): TorchSide {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const why = probe.error?.message ?? probe.stderr.trim().split('\n').at(-1) ?? `exit ${probe.status}`;
    return { ok: false, failed: false, reason: `${PYTHON} cannot import torch (apt-get install -y python3-torch): ${why}` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'conjugate-torch-'));
  try {
    const file = join(dir, 'workload.json');
    writeFileSync(file, JSON.stringify(workload, null, 2));
    const run = spawnSync(PYTHON, [TORCH_SCRIPT, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024 });
    if (run.error || run.status !== 0) return { ok: false, failed: true, reason: `${TORCH_SCRIPT} failed: ${run.error?.message ?? `exit ${run.status ?? run.signal}`}` };
    return { ok: true, times: torchStepTimes(run.stdout) };
  } catch (error) {
    return { ok: false, failed: true, reason: (error as Error).message };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
