import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { isProcessAlive } from './service-process';

/** The state letter in /proc/<pid>/stat (R, S, Z …), '' when there is no such process. */
const stateOf = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return '';
  }
};

describe('isProcessAlive', () => {
  it('is true for a running process and false for a pid that is gone', async () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    const { stdout } = await promisify(execFile)('sh', ['-c', 'echo $$']);
    expect(isProcessAlive(Number(stdout))).toBe(false);
  });

  it('counts a zombie (exited, never reaped) as gone', async () => {
    // A parent that forks a child which exits at once, and never reaps it: the child stays a zombie while
    // the parent lives (a shell's background job is not reliably left unreaped).
    const script = 'import os, time\npid = os.fork()\nif pid == 0:\n    os._exit(0)\nprint(pid, flush=True)\ntime.sleep(60)';
    const parent = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number(await new Promise<string>((resolve) => createInterface({ input: parent.stdout! }).once('line', resolve)));
      // Bounded wait for the child to have exited (its state in /proc becomes Z).
      for (let i = 0; i < 400 && stateOf(zombie) !== 'Z'; i++) await new Promise((r) => setTimeout(r, 25));
      expect(stateOf(zombie)).toBe('Z'); // the pid still exists…
      expect(() => process.kill(zombie, 0)).not.toThrow();
      expect(isProcessAlive(zombie)).toBe(false); // …but nothing runs there
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
