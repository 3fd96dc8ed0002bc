import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startServiceProcess, type ServiceProcess } from '@conjugate/service-kit';

// The "done when": the CLI sends a small CNN saved by tfjs-layers (the committed fixture) to a
// running data-, attack- and uncertainty-service and prints clean and robust accuracy, and Δx·Δp.
const BIN = join(__dirname, '..', 'bin', 'conjugate.cjs');
const MODEL = join(__dirname, '../../../examples/python/fixtures/small-cnn/model.json');
let data: ServiceProcess;
let attack: ServiceProcess;
let uncertainty: ServiceProcess;

/** Runs the CLI as a user does (async, so the test's event loop keeps turning). */
function conjugate(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, CONJUGATE_HOME: '/nonexistent-conjugate-home' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

beforeAll(async () => {
  data = await startServiceProcess('data-service');
  [attack, uncertainty] = await Promise.all([
    startServiceProcess('attack-service', { DATA_SERVICE_ADDRESS: data.address }),
    startServiceProcess('uncertainty-service', { DATA_SERVICE_ADDRESS: data.address }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([attack?.stop(), uncertainty?.stop()]);
  await data?.stop();
});

it.each(['pixel', 'feature'])('`attack --model-file … --dataset mnist --space %s --limit 200 --json` prints clean and robust accuracy', async (space) => {
  const result = await conjugate('attack', '--model-file', MODEL, '--dataset', 'mnist', '--space', space, '--limit', '200', '--json', '--attack', attack.address);
  expect(result.stderr).not.toContain('conjugate:');
  expect(result.status).toBe(0);
  const r = JSON.parse(result.stdout) as { total: number; cleanAccuracy: number; robustAccuracy: number };
  expect(r.total).toBe(200);
  // Trained to about 0.9 on 2 000 images: well above chance, and the attack takes some of it away.
  expect(r.cleanAccuracy).toBeGreaterThan(0.7);
  expect(r.robustAccuracy).toBeLessThan(r.cleanAccuracy);
});

// The ensemble estimator reads the data measure: it needs enough points for a weighted variance.
it.each([
  ['ensemble', '100'],
  ['packet', '8'],
])('`estimate --model-file … --estimator %s` prints Δx, Δp and Δx·Δp', async (estimator, points) => {
  const result = await conjugate('estimate', '--model-file', MODEL, '--dataset', 'mnist', '--estimator', estimator, '--points', points, '--samples', '16', '--uncertainty', uncertainty.address);
  expect(result.stderr).not.toContain('conjugate:');
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(new RegExp(`${estimator} estimator, pixel space, ${points} points of mnist`));
  expect(result.stdout).toMatch(/mean Δx·Δp \d/);
});

it('refuses a model file whose feature layer does not exist, exit code 4, naming the layers there are', async () => {
  const result = await conjugate('attack', '--model-file', MODEL, '--dataset', 'mnist', '--feature-layer', 'nope', '--limit', '10', '--attack', attack.address);
  expect(result.status).toBe(4);
  expect(result.stderr).toMatch(/feature_layer: no layer "nope" .*choose one of: .*conv2d, max_pooling2d/);
});

it('says what is missing when --model-file comes without --dataset, or with --run', async () => {
  expect(await conjugate('attack', '--model-file', MODEL, '--attack', attack.address)).toMatchObject({ status: 2, stderr: expect.stringContaining('--model-file needs --dataset') });
  expect(await conjugate('attack', '--model-file', MODEL, '--run', 'r', '--dataset', 'mnist')).toMatchObject({ status: 2, stderr: expect.stringContaining('not both') });
  expect(await conjugate('estimate', '--dataset', 'mnist')).toMatchObject({ status: 2, stderr: expect.stringContaining('give --run ID') });
});
