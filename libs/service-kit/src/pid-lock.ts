import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { isProcessAlive } from './service-process';

/** Thrown when another live process holds the lock. */
export class LockHeldError extends Error {
  constructor(readonly file: string, readonly holderPid: number, what: string, readonly holderHost = hostname()) {
    super(`${what} is in use by process ${holderPid}${holderHost === hostname() ? '' : ` on ${holderHost}`} (lock ${file})`);
  }
}

export interface PidLock {
  file: string;
  release(): Promise<void>;
}

export interface PidLockOptions {
  /**
   * The holder touches the lock every quarter of this; a lock not touched for this long is stale whoever
   * wrote it (default 60 s) — the only sign of death of a holder on another host or in another container,
   * whose pid means nothing here.
   */
  staleAfterMs?: number;
}

/** Locks this process holds (resolved paths): its own pid in a lock file it does not hold is a former process's. */
const heldHere = new Set<string>();

/**
 * An exclusive lock: `file` holds the owner's pid and host, created complete and atomically (a hard link
 * of a written temp file, so nobody ever reads it half-written). A lock whose owner is dead — its pid gone
 * on this host, or no heartbeat for `staleAfterMs` — is stale and taken over, so a crash never needs a
 * manual fix; two processes taking over the same stale lock at once end with one holder.
 */
export async function acquirePidLock(file: string, what: string, options: PidLockOptions = {}): Promise<PidLock> {
  const staleAfterMs = options.staleAfterMs ?? 60_000;
  const path = resolve(file);
  if (heldHere.has(path)) throw new LockHeldError(file, process.pid, what);
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, `${process.pid}\n${hostname()}\n`);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(temp, file);
        return held(file, path, staleAfterMs);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await readHolder(file);
      if (holder && !isStale(holder, staleAfterMs)) throw new LockHeldError(file, holder.pid, what, holder.host);
      if (holder) await removeIfStill(file, holder);
      // Then race for it again.
    }
  } finally {
    await rm(temp, { force: true });
  }
  throw new Error(`cannot take the lock ${file}: it keeps changing hands`);
}

interface Holder {
  pid: number;
  host: string;
  touchedAtMs: number;
}

/** Who holds `file`; undefined when it is gone. A lock without a host line (older) counts as this host's. */
async function readHolder(file: string): Promise<Holder | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    const [pid, host] = text.split('\n');
    return { pid: Number(pid.trim()), host: host?.trim() || hostname(), touchedAtMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Moves the stale lock away — unless it is no longer the one judged stale: a rival that judged it stale too
 * may have replaced it with its own fresh lock meanwhile, which is put back (so the rival keeps it).
 */
async function removeIfStill(file: string, stale: Holder): Promise<void> {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await readHolder(aside);
  const same = moved && moved.pid === stale.pid && moved.host === stale.host && moved.touchedAtMs === stale.touchedAtMs;
  if (!same) await link(aside, file).catch(() => undefined);
  await rm(aside, { force: true });
}

function isStale(holder: Holder, staleAfterMs: number): boolean {
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return true;
  if (Date.now() - holder.touchedAtMs > staleAfterMs) return true;
  if (holder.host !== hostname()) return false; // its pid cannot be checked from here: the heartbeat tells
  // Our own pid, in a lock this process does not hold: written by an earlier process with the same pid
  // (a restarted container, whose pids start over).
  return holder.pid === process.pid || !isProcessAlive(holder.pid);
}

function held(file: string, path: string, staleAfterMs: number): PidLock {
  heldHere.add(path);
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(file, now, now).catch(() => undefined);
  }, Math.max(10, staleAfterMs / 4));
  heartbeat.unref();
  return {
    file,
    release: async () => {
      clearInterval(heartbeat);
      if (!heldHere.delete(path)) return;
      const holder = await readHolder(file);
      if (holder?.pid === process.pid && holder.host === hostname()) await rm(file, { force: true });
    },
  };
}
