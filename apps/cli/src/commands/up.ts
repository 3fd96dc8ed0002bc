import { removeStackFile, writeStackFile } from '../addresses';
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
  /** --processes: uncertainty-service replicas to start (packet estimates are sharded over them). */
  uncertaintyReplicas?: number;
  json?: boolean;
}

/**
 * `conjugate up`: starts the stack, prints where everything is, optionally starts a run of a preset and
 * follows it, then stays up (the dashboard keeps the history) until Ctrl-C — or, with --exit-after-run,
 * stops when that run ends and exits with its outcome.
 */
export async function up(flags: UpFlags): Promise<number> {
  const output = createOutput(Boolean(flags.json));
  output.info(`starting the stack (${flags.processes ? 'one process per service' : 'embedded in this process'})…`);
  const tlsNote = tlsSettingsForStack(flags.processes);
  if (tlsNote) output.info(tlsNote);
  const stack: RunningStack = flags.processes ? await startProcessStack(flags.dashboardPort, flags.uncertaintyReplicas) : await startEmbeddedStack(flags.dashboardPort);
  const file = await writeStackFile(stack.addresses);
  let stopping: Promise<void> | undefined;
  const shutdown = () => (stopping ??= (async () => { await removeStackFile(process.pid); await stack.stop(); })());
  process.once('SIGINT', () => { output.info('\nstopping the stack…'); void shutdown().then(() => process.exit(0)); });
  process.once('SIGTERM', () => void shutdown().then(() => process.exit(0)));
  const a = stack.addresses;
  output.result({ ...a, bus: stack.busDescription, stack_file: file }, () => [
    `dashboard:            ${a.dashboard}`,
    `data-service:         ${a.data}`, `training-service:     ${a.training}`, `attack-service:       ${a.attack}`, `uncertainty-service:  ${a.uncertainty}`,
    `events:               ${stack.busDescription}`,
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
