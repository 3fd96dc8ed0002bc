import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { isProcessAlive } from './service-process';

describe('isProcessAlive', () => {
  it('is true for a running process and false for a pid that is gone', async () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    const { stdout } = await promisify(execFile)('sh', ['-c', 'echo $$']);
    expect(isProcessAlive(Number(stdout))).toBe(false);
  });

  it('counts a zombie (exited, never reaped) as gone', async () => {
    // `true` becomes a child of the `sleep` that the shell execs into, which never reaps it.
    const parent = spawn('sh', ['-c', 'true & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number(await new Promise<string>((resolve) => createInterface({ input: parent.stdout! }).once('line', resolve)));
      await new Promise((r) => setTimeout(r, 300));
      expect(() => process.kill(zombie, 0)).not.toThrow(); // the pid still exists…
      expect(isProcessAlive(zombie)).toBe(false); // …but nothing runs there
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
