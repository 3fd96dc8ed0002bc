import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './stack/ports';

const BIN = join(__dirname, '..', 'bin', 'conjugate.cjs');
const conjugate = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, CONJUGATE_HOME: '/nonexistent-conjugate-home' } });

describe('conjugate (as a user runs it)', () => {
  it('lists the presets as JSON with --json', () => {
    const result = conjugate('presets', '--json');
    expect(result.status).toBe(0);
    const presets = JSON.parse(result.stdout) as Array<{ name: string; config: { epochs: number } }>;
    expect(presets.map((p) => p.name)).toContain('quick');
    expect(presets.find((p) => p.name === 'paper-mnist-cnn3')?.config.epochs).toBe(50);
  });

  it('says how to start the stack when the training-service is not there, exit code 3', async () => {
    const port = await freePort();
    const result = conjugate('runs', '--training', `127.0.0.1:${port}`);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`cannot reach the training-service at 127.0.0.1:${port}`);
    expect(result.stderr).toContain('npx conjugate up');
  });

  it('names the known presets for an unknown one, exit code 4, and a JSON error with --json', () => {
    const result = conjugate('run', '--preset', 'nope', '--json');
    expect(result.status).toBe(4);
    expect(JSON.parse(result.stdout)).toEqual({ error: expect.stringContaining('known: quick'), exit_code: 4 });
  });

  it('rejects an unknown command with the usage exit code', () => {
    const result = conjugate('bogus');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Unknown argument: bogus');
  });
});
