import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CIFAR10_DIR_NAME, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, CIFAR_RECORD_BYTES } from '@conjugate/datasets';
import { Estimator, RunEvent, Space } from '@conjugate/proto';

const BIN = join(__dirname, '..', '..', '..', 'apps', 'cli', 'bin', 'conjugate.cjs');

/**
 * A CIFAR-10-format folder (five train batches and a test batch of 10 000 records each, label byte then
 * the red, green and blue planes) with random pixels whose red plane is brightened by the label, so the
 * classes can be learnt. CIFAR-10 itself cannot be downloaded on CI's machine; the format is the point.
 */
async function writeCifarFixture(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const file of [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE]) {
    const bytes = randomBytes(10_000 * CIFAR_RECORD_BYTES);
    for (let n = 0; n < 10_000; n++) {
      const record = n * CIFAR_RECORD_BYTES;
      const label = bytes[record] % 10;
      bytes[record] = label;
      for (let p = 0; p < 1024; p++) bytes[record + 1 + p] = (bytes[record + 1 + p] >> 2) + label * 19;
    }
    await writeFile(join(dir, file), bytes);
  }
}

describe('the CIFAR-10 presets end to end on a CIFAR-10-format fixture: one epoch each, every measurement present', () => {
  let home: string;
  let stack: ChildProcess | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'conjugate-cifar-'));
    await writeCifarFixture(join(home, 'data', CIFAR10_DIR_NAME));
    env = { ...process.env, CONJUGATE_HOME: home, CONJUGATE_DATA_DIR: join(home, 'data'), LOG_LEVEL: 'warn' };
    stack = spawn(process.execPath, [BIN, 'up', '--processes', '--dashboard-port', '0', '--json'], { env, cwd: home, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<string>((resolve, reject) => {
      createInterface({ input: stack!.stdout! }).once('line', resolve);
      stack!.once('exit', (code) => reject(new Error(`conjugate up exited with ${code} before it was ready`)));
    });
  });

  afterAll(async () => {
    if (stack && stack.exitCode === null) {
      const exited = new Promise((resolve) => stack!.once('exit', resolve));
      stack.kill('SIGTERM');
      await exited;
    }
    await rm(home, { recursive: true, force: true });
  });

  const conjugate = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env, cwd: home, maxBuffer: 64 * 1024 * 1024 });

  it.each(['paper-cifar10-cnn4', 'paper-cifar10-resnet8'])('%s', (preset) => {
    // The preset as it is, made small: one epoch on 256 train images, each measurement on a few test images.
    const run = conjugate('run', '--preset', preset, '--epochs', '1', '--train-limit', '256', '--test-limit', '200', '--robust-points', '32',
      '--ensemble-points', '48', '--packet-points', '3', '--packet-samples', '32', '--embedding-points', '40', '--follow', '--json');
    expect(run.stderr).not.toContain('conjugate:');
    expect(run.status).toBe(0);
    const id = (JSON.parse(run.stdout.split('\n')[0]) as { id: string }).id;
    const got = conjugate('report', id, '--out', join(home, preset), '--json');
    expect(got.status).toBe(0);
    const report = JSON.parse(got.stdout) as { epochs: number; snapshots: number };
    expect([report.epochs, report.snapshots]).toEqual([2, 1]);

    const watched = conjugate('watch', id, '--json').stdout.trim().split('\n').map((line) => RunEvent.fromJSON(JSON.parse(line)).event);
    const epochs = watched.flatMap((e) => (e?.$case === 'epoch' ? [e.value.metrics!] : []));
    // The history replays the snapshot with its epoch (WatchRun), as the live run sent it.
    expect(watched.filter((e) => e?.$case === 'embedding').map((e) => e?.$case === 'embedding' && e.value.snapshot!.epoch)).toEqual([1]);
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1]);
    for (const metrics of epochs) {
      const where = `${preset} epoch ${metrics.epoch}`;
      for (const robust of [metrics.robustPixel, metrics.robustFeature]) {
        expect({ where, missing: robust?.missingReason }).toEqual({ where, missing: '' });
        expect(robust!.result!.total).toBe(32);
      }
      expect(metrics.uncertainty.map((u) => [u.estimator, u.space, u.missingReason])).toEqual([
        [Estimator.ESTIMATOR_ENSEMBLE, Space.SPACE_PIXEL, ''], [Estimator.ESTIMATOR_ENSEMBLE, Space.SPACE_FEATURE, ''],
        [Estimator.ESTIMATOR_PACKET, Space.SPACE_PIXEL, ''], [Estimator.ESTIMATOR_PACKET, Space.SPACE_FEATURE, ''],
      ]);
    }
    expect(epochs[1].hasEmbedding).toBe(true);
  });
});
