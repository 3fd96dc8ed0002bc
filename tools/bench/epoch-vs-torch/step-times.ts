import { Estimator, Space, type EpochMetrics } from '@conjugate/proto';

/** One epoch's wall time step by step ("train", "test-accuracy", "robust/pixel", …, "embedding"). */
export interface StepTimes {
  steps: { step: string; seconds: number }[];
  /** Train plus evaluation seconds. */
  total: number;
  /** Steps whose measurement the run recorded as missing, with the reason (their time measured a failure). */
  missing: string[];
}

const SPACE_NAMES: Partial<Record<Space, string>> = { [Space.SPACE_PIXEL]: 'pixel', [Space.SPACE_FEATURE]: 'feature' };
const ESTIMATOR_NAMES: Partial<Record<Estimator, string>> = { [Estimator.ESTIMATOR_ENSEMBLE]: 'ensemble', [Estimator.ESTIMATOR_PACKET]: 'packet' };

/** Our epoch as the run recorded it: its train seconds, then each evaluation step of EpochTimings.steps. */
export function ourStepTimes(metrics: EpochMetrics): StepTimes {
  const timings = metrics.timings;
  if (!timings) throw new Error(`epoch ${metrics.epoch} has no timings`);
  if (timings.steps.length === 0) throw new Error(`epoch ${metrics.epoch} records no step timings (a training-service from before EpochTimings.steps?)`);
  const missing: string[] = [];
  for (const [name, measurement] of [['robust/pixel', metrics.robustPixel], ['robust/feature', metrics.robustFeature]] as const) {
    if (measurement?.missingReason) missing.push(`${name}: ${measurement.missingReason}`);
  }
  for (const u of metrics.uncertainty) {
    if (u.missingReason) missing.push(`${ESTIMATOR_NAMES[u.estimator] ?? u.estimator}/${SPACE_NAMES[u.space] ?? u.space}: ${u.missingReason}`);
  }
  if (timings.steps.some((s) => s.step === 'embedding') && !metrics.hasEmbedding) missing.push('embedding: no snapshot recorded');
  return {
    steps: [{ step: 'train', seconds: timings.trainSeconds }, ...timings.steps.map(({ step, seconds }) => ({ step, seconds }))],
    total: timings.trainSeconds + timings.evaluationSeconds,
    missing,
  };
}

/** The PyTorch side's step times from torch_paper_epoch.py's stdout (its last line is the JSON result). */
export function torchStepTimes(stdout: string): StepTimes & { version: string; threads: number } {
  const last = stdout.trim().split('\n').at(-1) ?? '';
  let parsed: { torch?: unknown; threads?: unknown; steps?: unknown };
  try {
    parsed = JSON.parse(last);
  } catch {
    throw new Error(`torch_paper_epoch.py printed no JSON result (last line: ${JSON.stringify(last.slice(0, 200))})`);
  }
  const steps = parsed.steps;
  const valid = Array.isArray(steps) && steps.every((s) => Array.isArray(s) && typeof s[0] === 'string' && typeof s[1] === 'number' && s[1] >= 0);
  if (!valid || steps.length === 0) throw new Error(`torch_paper_epoch.py: "steps" must be a list of [name, seconds ≥ 0], got ${JSON.stringify(steps)?.slice(0, 200)}`);
  const times = (steps as [string, number][]).map(([step, seconds]) => ({ step, seconds }));
  return {
    steps: times,
    total: times.reduce((sum, s) => sum + s.seconds, 0),
    missing: [],
    version: String(parsed.torch ?? '?'),
    threads: Number(parsed.threads ?? 0),
  };
}
