import type { StepTimes } from './step-times';

/** The name our lines carry for a preset: "paper" for paper-mnist-cnn3 (the comparison of issue 14), else the preset's. */
export function benchLabel(preset: string): string {
  return preset === 'paper-mnist-cnn3' ? 'paper' : preset.replace(/[^A-Za-z0-9]+/g, '_');
}

function seconds(value: number): string {
  return value.toFixed(value >= 100 ? 1 : value >= 1 ? 2 : 3);
}

/**
 * `name: value unit` lines: the epoch's seconds, ours and PyTorch's, and the speed ratio R = torch / ours
 * (R > 1: ours is faster); then the same per step, in our order (PyTorch-only steps after), and for the
 * estimate steps as a group. Without a PyTorch side, ours only. A step one side lacks, or whose
 * measurement failed on ours, gets a `#` line.
 */
export function comparisonLines(label: string, ours: StepTimes, torch: StepTimes | undefined): string[] {
  const lines: string[] = [];
  const compare = (name: string, mine: number | undefined, theirs: number | undefined) => {
    if (mine !== undefined) lines.push(`${label}_${name}_s: ${seconds(mine)} s`);
    if (theirs !== undefined) lines.push(`torch_${label}_${name}_s: ${seconds(theirs)} s`);
    if (mine !== undefined && theirs !== undefined) lines.push(`${label}_${name}_speed_vs_torch: ${(theirs / Math.max(mine, 1e-9)).toFixed(2)} x`);
  };
  compare('epoch', ours.total, torch?.total);
  const theirs = new Map(torch?.steps.map((s) => [s.step, s.seconds]));
  const names = [...ours.steps.map((s) => s.step), ...(torch?.steps.map((s) => s.step) ?? [])].filter((s, i, all) => all.indexOf(s) === i);
  for (const step of names) {
    const mine = ours.steps.find((s) => s.step === step)?.seconds;
    const name = step.replace(/[^A-Za-z0-9]+/g, '_');
    compare(name, mine, theirs.get(step));
    if (torch && mine === undefined) lines.push(`# ${label}_${name}: PyTorch ran it, our run recorded no such step`);
    if (torch && mine !== undefined && !theirs.has(step)) lines.push(`# ${label}_${name}: not run by PyTorch`);
  }
  // Our estimate steps start together and run side by side (libs/evaluation), so each one's time overlaps
  // the others': as a group they took the longest of them; PyTorch runs them one after another.
  const estimates = (times: StepTimes['steps']) => times.filter((s) => ESTIMATE_STEP.test(s.step)).map((s) => s.seconds);
  const group = estimates(ours.steps);
  if (group.length > 1) {
    compare('estimates', Math.max(...group), torch ? estimates(torch.steps).reduce((a, b) => a + b, 0) : undefined);
    lines.push(`# ${label}_estimates: our ${group.length} estimate steps ran side by side (their own lines overlap); PyTorch's one after another`);
  }
  for (const reason of ours.missing) lines.push(`# ${label}: our ${reason} (its time is that of a failure)`);
  return lines;
}

const ESTIMATE_STEP = /^(ensemble|packet)\//;
