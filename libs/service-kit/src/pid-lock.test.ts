import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquirePidLock, LockHeldError } from './pid-lock';
import { killAndWait } from './service-process';

describe('acquirePidLock', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'conjugate-lock-')); });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('refuses a second holder while the first lives, naming its pid; free again once released', async () => {
    const file = join(dir, 'up.lock');
    const lock = await acquirePidLock(file, 'the stack folder');
    await expect(acquirePidLock(file, 'the stack folder')).rejects.toThrow(`the stack folder is in use by process ${process.pid}`);
    await lock.release();
    const again = await acquirePidLock(file, 'the stack folder');
    expect((await readFile(file, 'utf8')).trim()).toBe(String(process.pid));
    await again.release();
  });

  it('refuses while another live process holds it, takes over once that process is dead', async () => {
    const file = join(dir, 'store.lock');
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    await writeFile(file, `${other.pid}\n`);
    const error = await acquirePidLock(file, 'the store').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as LockHeldError).holderPid).toBe(other.pid);
    await killAndWait(other, 'SIGKILL');
    const lock = await acquirePidLock(file, 'the store');
    expect((await readFile(file, 'utf8')).trim()).toBe(String(process.pid));
    await lock.release();
  });
});
