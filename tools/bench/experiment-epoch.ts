// `npm run bench -- experiment-epoch [preset] [epochs]`: wall time of whole epochs of a preset, evaluation
// included, on the stack as a user runs it (`conjugate up` in the background, `conjugate run --follow`).
// Default: one epoch of paper-mnist-cnn3 (the full paper evaluation: 10 000 robust images, both estimators).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const preset = process.argv[2] ?? 'paper-mnist-cnn3';
const epochs = process.argv[3] ?? '1';
const BIN = join(__dirname, '..', '..', 'apps', 'cli', 'bin', 'conjugate.cjs');
const home = mkdtempSync(join(tmpdir(), 'conjugate-bench-'));
const env = { ...process.env, CONJUGATE_HOME: home };

async function main() {
  const stack = spawn(process.execPath, [BIN, 'up', '--dashboard-port', '0', '--json'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<string>((resolve, reject) => {
      createInterface({ input: stack.stdout! }).once('line', resolve);
      stack.once('exit', (code) => reject(new Error(`conjugate up exited with ${code}`)));
    });
    const started = Date.now();
    const run = spawnSync(process.execPath, [BIN, 'run', '--preset', preset, '--epochs', epochs, '--follow', '--json'], { env, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    const wall = (Date.now() - started) / 1000;
    if (run.status !== 0) throw new Error(`run failed (${run.status}): ${run.stderr}`);
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { epoch?: { metrics?: { epoch?: number; timings?: { trainSeconds?: number; evaluationSeconds?: number; imagesPerSecond?: number } } } });
    for (const e of events) {
      const m = e.epoch?.metrics;
      if (!m?.timings) continue;
      const epoch = m.epoch ?? 0;
      console.log(`${preset}_epoch${epoch}_train: ${(m.timings.trainSeconds ?? 0).toFixed(1)} s`);
      console.log(`${preset}_epoch${epoch}_evaluation: ${(m.timings.evaluationSeconds ?? 0).toFixed(1)} s`);
      if (epoch > 0) console.log(`${preset}_epoch${epoch}_total: ${((m.timings.trainSeconds ?? 0) + (m.timings.evaluationSeconds ?? 0)).toFixed(1)} s`);
    }
    console.log(`${preset}_run_wall_${epochs}_epochs_with_epoch0: ${wall.toFixed(1)} s`);
  } finally {
    stack.kill('SIGTERM');
    await new Promise((resolve) => stack.once('exit', resolve));
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
