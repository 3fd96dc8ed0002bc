import { spawnSync } from 'node:child_process';

/** Whether a `nats-server` binary can be run (NATS_SERVER_BIN or on PATH). */
export function natsServerAvailable(): boolean {
  const binary = process.env.NATS_SERVER_BIN ?? 'nats-server';
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
}
