import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isProcessAlive } from './service-process';

/** Thrown when another live process holds the lock. */
export class LockHeldError extends Error {
  constructor(readonly file: string, readonly holderPid: number, what: string) {
    super(`${what} is in use by process ${holderPid} (lock ${file})`);
  }
}

export interface PidLock {
  file: string;
  release(): Promise<void>;
}

/**
 * An exclusive lock on one machine: `file` holds the owner's pid, created with O_EXCL. A lock whose
 * owner is dead (killed without cleaning up) is stale and taken over, so a crash never needs a manual fix.
 */
export async function acquirePidLock(file: string, what: string): Promise<PidLock> {
  await mkdir(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      return { file, release: () => releaseIfOurs(file) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isProcessAlive(holder)) throw new LockHeldError(file, holder, what);
    if (holder === process.pid) throw new LockHeldError(file, holder, what);
    // Stale (or half-written): remove it and race for it again.
    await rm(file, { force: true });
  }
  throw new Error(`cannot take the lock ${file}: it keeps changing hands`);
}

async function releaseIfOurs(file: string): Promise<void> {
  const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  if (holder === process.pid) await rm(file, { force: true });
}
