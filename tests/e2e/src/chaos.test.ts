import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connectNatsBus } from '@conjugate/bus';
import { RunEvent, RunState } from '@conjugate/proto';
import { isProcessAlive } from '@conjugate/service-kit';

const BIN = join(__dirname, '..', '..', '..', 'apps', 'cli', 'bin', 'conjugate.cjs');

/** pid of `up`'s child whose command line contains `needle` (the services are its direct children). */
const childOf = (parent: number, needle: string): number => {
  const lines = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(parent)], { encoding: 'utf8' }).trim().split('\n');
  const line = lines.find((l) => l.includes(needle));
  if (!line) throw new Error(`no child of ${parent} runs ${needle}:\n${lines.join('\n')}`);
  return Number(line.trim().split(/\s+/)[0]);
};
/** `promise`, or an error after `ms` naming the stage and showing what the stack and the CLI printed — so a
 * stall on a slow CI machine says where it stalled instead of only hitting Jest's test timeout. */
const within = <T>(ms: number, stage: string, logs: () => string, promise: Promise<T>): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      let printed: string;
      try { printed = logs(); } catch (error) { printed = String(error); }
      reject(new Error(`chaos test: ${stage} did not finish within ${ms / 1000} s\n${printed}`));
    }, ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
};
const tail = (text: string, lines = 60) => text.split('\n').slice(-lines).join('\n');

const children = (parent: number) => execFileSync('ps', ['-o', 'pid=', '--ppid', String(parent)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);

it('chaos: SIGKILL of the training-service, then the attack-service and the nats-server, during a tiny run: it completes, every epoch printed and stored once, nothing left behind', async () => {
  const home = await mkdtemp(join(tmpdir(), 'conjugate-chaos-'));
  const env: NodeJS.ProcessEnv = { ...process.env, CONJUGATE_HOME: join(home, '.conjugate'), LOG_LEVEL: 'warn' };
  delete env.NATS_URL; // `up` runs (and supervises) its own nats-server
  let up: ChildProcess | undefined;
  let stackChildren: number[] = [];
  try {
    up = spawn(process.execPath, [BIN, 'up', '--processes', '--dashboard-port', '0', '--json'], { env, cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
    let upLog = '';
    let runErr = '';
    const logs = () => `--- conjugate up (last lines) ---\n${tail(upLog)}\n--- conjugate run (last lines) ---\n${tail(runErr)}`;
    up.stderr!.on('data', (chunk: Buffer) => (upLog += chunk.toString()));
    const addresses = JSON.parse(await within(120_000, 'starting the stack', logs, new Promise<string>((resolve, reject) => {
      createInterface({ input: up!.stdout! }).once('line', resolve);
      up!.once('exit', (code) => reject(new Error(`conjugate up exited with ${code}:\n${upLog}`)));
    }))) as { nats: string; stack_file: string };
    const upPid = up.pid!;

    const run = spawn(process.execPath, [BIN, 'run', '--preset', 'tiny', '--follow', '--json'], { env, cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
    run.stderr!.on('data', (chunk: Buffer) => (runErr += chunk.toString()));
    const runExit = new Promise<number | null>((resolve) => run.once('exit', resolve));
    let runId = '';
    const printed: number[] = [];
    const follow = async () => { for await (const line of createInterface({ input: run.stdout! })) {
      const json = JSON.parse(line) as Record<string, unknown>;
      if (!runId) { runId = json.id as string; continue; }
      const event = RunEvent.fromJSON(json).event;
      if (event?.$case !== 'epoch') continue;
      printed.push(event.value.metrics!.epoch);
      // In turn: the training-service after epoch 0, the attack-service and the nats-server after epoch 1.
      if (printed.length === 1) process.kill(childOf(upPid, 'training-service'), 'SIGKILL');
      if (printed.length === 2) {
        process.kill(childOf(upPid, 'attack-service'), 'SIGKILL');
        process.kill(childOf(upPid, 'nats-server'), 'SIGKILL');
      }
    } };
    await within(420_000, 'the run', () => `epochs printed: ${JSON.stringify(printed)}\n${logs()}`, follow());
    expect({ code: await runExit, runErr }).toEqual({ code: 0, runErr: expect.stringContaining('reconnecting') });
    expect(printed).toEqual([0, 1, 2]);
    for (const service of ['training-service', 'attack-service', 'nats-server']) expect(upLog).toContain(`[supervisor] ${service} restarted`);
    // What restarted each and how long it was down, for the CI log.
    process.stdout.write(upLog.split('\n').filter((l) => l.startsWith('[supervisor]')).join('\n') + '\n');

    // JetStream holds each epoch once.
    // The stack's own nats-server has authorization on; its token is only in the stack file.
    const { natsToken } = JSON.parse(readFileSync(addresses.stack_file, 'utf8')) as { natsToken: string };
    await expect(connectNatsBus({ url: addresses.nats, credentials: false })).rejects.toThrow(/Authorization Violation/i);
    const bus = await connectNatsBus({ url: addresses.nats, credentials: { token: natsToken } });
    const stored: number[] = [];
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 20_000);
    for await (const { event } of bus.subscribe({ runId, replay: true, signal: abort.signal })) {
      if (event.event?.$case === 'epoch') stored.push(event.event.value.metrics!.epoch);
      if (event.event?.$case === 'status' && event.event.value.state === RunState.RUN_STATE_COMPLETED) break;
    }
    clearTimeout(timer);
    await bus.close();
    expect(stored).toEqual([0, 1, 2]);

    stackChildren = children(upPid);
    const stopped = new Promise((resolve) => up!.once('exit', resolve));
    up.kill('SIGKILL'); // no cleanup by `up` itself: its children must still go
    await stopped;
    const gone = async () => { for (const pid of stackChildren) while (isProcessAlive(pid)) await new Promise((r) => setTimeout(r, 100)); };
    await within(30_000, `the children ${stackChildren.join(', ')} exiting after \`up\` was killed`, () => execFileSync('ps', ['-o', 'pid,ppid,stat,args', '-p', stackChildren.join(',')], { encoding: 'utf8' }), gone());
    expect(stackChildren.filter(isProcessAlive)).toEqual([]);
  } finally {
    if (up && up.exitCode === null && up.signalCode === null) up.kill('SIGKILL');
    for (const pid of stackChildren) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    await rm(home, { recursive: true, force: true });
  }
}, 600_000);
