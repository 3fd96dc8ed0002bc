import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { withAllocatorEnv } from './allocator-env';

// Linux's parent-death signal: util-linux's `setpriv --pdeathsig SIGTERM CMD` sets it and execs CMD, so the
// child (same pid) gets SIGTERM the moment the process that spawned it dies — even by SIGKILL, when no
// exit handler of ours runs. Elsewhere the child only has the parent-pid watch of `shutdownOnSignals`.
export const SETPRIV = '/usr/bin/setpriv';
export const canTieToParent = process.platform === 'linux' && existsSync(SETPRIV);

/** Env var a child reads to watch for its parent's death (see shutdownOnSignals). */
export const PARENT_PID_ENV = 'CONJUGATE_PARENT_PID';

/**
 * Spawns `command` so that it does not outlive this process: SIGTERM on parent death where the OS
 * offers it, and CONJUGATE_PARENT_PID for children that watch their parent themselves. Children get
 * the allocator settings of allocator-env.ts unless their environment sets them.
 */
export function spawnTiedToParent(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const env = { ...withAllocatorEnv(options.env ?? process.env), [PARENT_PID_ENV]: String(process.pid) };
  return canTieToParent
    ? spawn(SETPRIV, ['--pdeathsig', 'SIGTERM', command, ...args], { ...options, env })
    : spawn(command, args, { ...options, env });
}
