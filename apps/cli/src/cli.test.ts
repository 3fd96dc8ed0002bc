import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  it('refuses a second `up` in a folder whose stack is running, naming the running one', () => {
    const home = mkdtempSync(join(tmpdir(), 'conjugate-up-lock-'));
    try {
      // The folder is held by a live process (this test) that wrote its stack file.
      writeFileSync(join(home, 'up.lock'), `${process.pid}\n`);
      writeFileSync(join(home, 'stack.json'), JSON.stringify({ data: 'a:1', training: '127.0.0.1:5', attack: 'a:3', uncertainty: 'a:4', dashboard: 'http://127.0.0.1:7/', pid: process.pid }));
      const result = spawnSync(process.execPath, [BIN, 'up', '--processes'], { encoding: 'utf8', env: { ...process.env, CONJUGATE_HOME: home } });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`another \`conjugate up\` (pid ${process.pid}) already runs the stack in ${home} — dashboard http://127.0.0.1:7/, training-service 127.0.0.1:5`);
      expect(result.stderr).not.toContain('starting the stack');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
