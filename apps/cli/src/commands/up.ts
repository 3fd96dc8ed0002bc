import { join } from 'node:path';
import { acquirePidLock, LockHeldError, type PidLock } from '@conjugate/service-kit';
import { conjugateHome, readStackFile, removeStackFile, writeStackFile } from '../addresses';
import { CliError, EXIT } from '../cli-error';
import { createOutput } from '../output';
import { startEmbeddedStack, type RunningStack } from '../stack/embedded';
import { startProcessStack } from '../stack/processes';
import { tlsSettingsForStack } from '../tls-flags';
import { startRun } from './run';

export interface UpFlags {
  processes: boolean;
  preset?: string;
  dashboardPort: number;
  exitAfterRun: boolean;
  /** --processes: uncertainty-service replicas to start (every estimate is sharded over them). */
  uncertaintyReplicas?: number;
  /** --processes: attack-service replicas to start (robust accuracy is sharded over them). */
  attackReplicas?: number;
  json?: boolean;
}

/**
 * `conjugate up`: starts the stack, prints where everything is, optionally starts a run of a preset and
 * follows it, then stays up (the dashboard keeps the history) until Ctrl-C — or, with --exit-after-run,
 * stops when that run ends and exits with its outcome.
 */
export async function up(flags: UpFlags): Promise<number> {
  const output = createOutput(Boolean(flags.json));
  const lock = await lockStackFolder();
  output.info(`starting the stack (${flags.processes ? 'one process per service' : 'embedded in this process'})…`);
  const tlsNote = tlsSettingsForStack(flags.processes);
  if (tlsNote) output.info(tlsNote);
  const stack: RunningStack = await (flags.processes ? startProcessStack(flags.dashboardPort, { uncertaintyReplicas: flags.uncertaintyReplicas, attackReplicas: flags.attackReplicas }) : startEmbeddedStack(flags.dashboardPort))
    .catch(async (error: unknown) => { await lock.release(); throw error; });
  const file = await writeStackFile(stack.addresses);
  let stopping: Promise<void> | undefined;
  const shutdown = () => (stopping ??= (async () => { await removeStackFile(process.pid); await stack.stop(); await lock.release(); })());
  process.once('SIGINT', () => { output.info('\nstopping the stack…'); void shutdown().then(() => process.exit(0)); });
  process.once('SIGTERM', () => void shutdown().then(() => process.exit(0)));
  const a = stack.addresses;
  const { natsToken: _secret, ...shown } = a; // the token stays in the stack file
  output.result({ ...shown, bus: stack.busDescription, stack_file: file }, () => [
    `dashboard:            ${a.dashboard}`,
    `data-service:         ${a.data}`, `training-service:     ${a.training}`, `attack-service:       ${a.attack}`, `uncertainty-service:  ${a.uncertainty}`,
    `events:               ${stack.busDescription}`,
    ...(a.metrics ? [`metrics:              ${Object.entries(a.metrics).map(([service, url]) => `${service} ${url}`).join(', ')}`] : []),
    `(addresses saved in ${file}; other \`npx conjugate\` commands in this directory use them)`,
  ].join('\n'));
  let code = 0;
  if (flags.preset) {
    // Ctrl-C while following cancels the watch stream: that is the user stopping, not an error.
    code = await startRun({ preset: flags.preset, follow: true, training: a.training }, output)
      .catch((error: unknown) => (stopping ? new Promise<number>(() => undefined) : Promise.reject(error)));
    output.info(`dashboard: ${a.dashboard}`);
    if (flags.exitAfterRun) {
      await shutdown();
      return code;
    }
  }
  output.info('the stack is up; Ctrl-C stops it');
  return new Promise<number>(() => undefined);
}

/**
 * One stack per folder: the JetStream store (.conjugate/nats) and the run store (.conjugate/runs) take one
 * server each, so a second `up` in the same folder refuses and says where the running one is. A lock
 * left by an `up` that was killed is taken over.
 */
async function lockStackFolder(): Promise<PidLock> {
  const home = conjugateHome();
  try {
    return await acquirePidLock(join(home, 'up.lock'), `the stack folder ${home}`);
  } catch (error) {
    if (!(error instanceof LockHeldError)) throw error;
    const running = await readStackFile();
    throw new CliError(`another \`conjugate up\` (pid ${error.holderPid}) already runs the stack in ${home}` +
      (running?.dashboard ? ` — dashboard ${running.dashboard}, training-service ${running.training}` : '') +
      '. Its services serve this folder: use them, stop it first (Ctrl-C there), or set CONJUGATE_HOME to another folder.', EXIT.failed);
  }
}
