import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
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
    expect((await readFile(file, 'utf8')).split('\n')[0]).toBe(String(process.pid));
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
    expect((await readFile(file, 'utf8')).split('\n')[0]).toBe(String(process.pid));
    await lock.release();
  });

  it("a lock from another host holds while its holder touches it (its pid means nothing here) and is taken over once it has not for staleAfterMs", async () => {
    const file = join(dir, 'store.lock');
    await writeFile(file, '4242\nanother-host\n');
    const error = await acquirePidLock(file, 'the run store', { staleAfterMs: 60_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as LockHeldError).message).toBe(`the run store is in use by process 4242 on another-host (lock ${file})`);
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await utimes(file, twoMinutesAgo, twoMinutesAgo);
    const lock = await acquirePidLock(file, 'the run store', { staleAfterMs: 60_000 });
    expect(await readFile(file, 'utf8')).toBe(`${process.pid}\n${hostname()}\n`);
    await lock.release();
  });

  it("takes over a lock with this process's pid that this process does not hold (an earlier incarnation: a restarted container's pids start over)", async () => {
    const file = join(dir, 'store.lock');
    await writeFile(file, `${process.pid}\n${hostname()}\n`);
    const lock = await acquirePidLock(file, 'the run store');
    await expect(acquirePidLock(file, 'the run store')).rejects.toThrow(LockHeldError);
    await lock.release();
  });

  it('several processes taking over one stale lock at once: exactly one gets it', async () => {
    const file = join(dir, 'store.lock');
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.once('exit', resolve));
    await writeFile(file, `${dead.pid}\n${hostname()}\n`);
    // Each contender says whether it got the lock, then holds it until its stdin closes.
    const code = `require(${JSON.stringify(join(__dirname, 'pid-lock'))}).acquirePidLock(${JSON.stringify(file)}, 'the store')` +
      `.then((lock) => { console.log('got it'); process.stdin.on('end', () => lock.release()); process.stdin.resume(); }, (e) => console.log(e.constructor.name))`;
    const contenders = Array.from({ length: 4 }, () => spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] }));
    try {
      const said = await Promise.all(contenders.map((child) => new Promise<string>((resolve) => {
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString(); if (out.includes('\n')) resolve(out.trim()); });
        child.once('exit', () => resolve(out.trim() || 'exited'));
      })));
      expect(said.sort()).toEqual(['LockHeldError', 'LockHeldError', 'LockHeldError', 'got it']);
    } finally {
      for (const child of contenders) child.stdin!.end();
      await Promise.all(contenders.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
    }
  }, 60_000);

  it('the holder keeps touching its lock, so it never looks stale while held', async () => {
    const file = join(dir, 'store.lock');
    const lock = await acquirePidLock(file, 'the run store', { staleAfterMs: 400 });
    try {
      const longAgo = new Date(Date.now() - 3_600_000);
      await utimes(file, longAgo, longAgo);
      // Bounded wait for the next heartbeat (every 100 ms here).
      for (let i = 0; i < 200 && (await stat(file)).mtimeMs < Date.now() - 60_000; i++) await new Promise((r) => setTimeout(r, 50));
      expect((await stat(file)).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
    } finally {
      await lock.release();
    }
  });
});
