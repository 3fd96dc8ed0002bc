import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connectNatsBus } from '@conjugate/bus';
import { connectTrainingService } from '@conjugate/clients';
import { RunEvent, RunState, type EpochMetrics } from '@conjugate/proto';
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

type Event = NonNullable<RunEvent['event']>;
const stageOf = (event: Event) => (event.$case === 'progress' ? event.value.progress!.stage : '');

/** A kill of the chaos run: which child, and the first event of the run (after the previous kill) it follows. */
interface Kill {
  service: string;
  moment: string;
  after: (event: Event) => boolean;
  /** Filled in when done: when, and which epoch was under way. */
  atMs?: number;
  epoch?: number;
}

// In turn, each at a moment it is in use, the next once the last is back. In a tiny run the moments come in
// this order in every epoch after the first: train → robust → estimates → embedding (epoch 2 only).
const kills = (): Kill[] => [
  { service: 'training-service', moment: 'once epoch 0 was recorded', after: (e) => e.$case === 'epoch' && e.value.metrics!.epoch === 0 },
  { service: 'data-service', moment: 'while training streams batches', after: (e) => stageOf(e) === 'train' && e.$case === 'progress' && e.value.progress!.done < e.value.progress!.total },
  // Pixel space's progress comes as its call ends; the feature-space call follows at once.
  { service: 'attack-service', moment: 'during the robust accuracy', after: (e) => stageOf(e) === 'robust/pixel' },
  { service: 'uncertainty-service', moment: 'during a Δx/Δp estimate', after: (e) => /^(ensemble|packet)\//.test(stageOf(e)) },
  { service: 'nats-server', moment: 'while the embedding snapshot is made', after: (e) => stageOf(e) === 'embedding' },
];

interface Followed {
  runId: string;
  /** Each epoch as printed (once each, in order) and when, ms since the run was started. */
  epochs: Array<{ epoch: number; atMs: number }>;
  code: number | null;
  stderr: string;
}

/** The CLIs started, to be killed if the test fails while one runs. */
const clis: ChildProcess[] = [];

/** `conjugate run --preset tiny --follow --json` as a user runs it; `onRunId` hears the run's id as soon as it is printed. */
async function followTinyRun(env: NodeJS.ProcessEnv, cwd: string, logs: { run: string }, onRunId: (runId: string) => void = () => {}): Promise<Followed> {
  const started = Date.now();
  const run = spawn(process.execPath, [BIN, 'run', '--preset', 'tiny', '--follow', '--json'], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  clis.push(run);
  logs.run = '';
  run.stderr!.on('data', (chunk: Buffer) => (logs.run += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => run.once('exit', resolve));
  let runId = '';
  const epochs: Followed['epochs'] = [];
  for await (const line of createInterface({ input: run.stdout! })) {
    const json = JSON.parse(line) as Record<string, unknown>;
    if (!runId) { runId = json.id as string; onRunId(runId); continue; }
    const event = RunEvent.fromJSON(json).event;
    if (event?.$case === 'epoch') epochs.push({ epoch: event.value.metrics!.epoch, atMs: Date.now() - started });
  }
  return { runId, epochs, code: await exited, stderr: logs.run };
}

const TERMINAL = new Set([RunState.RUN_STATE_COMPLETED, RunState.RUN_STATE_FAILED, RunState.RUN_STATE_STOPPED]);

/**
 * Follows the run over WatchRun itself to time the kills: it reconnects 0.1 s after a drop (the CLI backs
 * off up to 5 s, and would miss moments), and resolves once the run has ended. A reconnect replays the
 * run's status and epochs; progress is live only.
 */
async function watchClosely(address: string, runId: string, onEvent: (event: Event) => void): Promise<void> {
  for (;;) {
    const client = connectTrainingService(address);
    try {
      for await (const { event } of client.watchRun(runId)) {
        if (!event) continue;
        onEvent(event);
        if (event.$case === 'status' && TERMINAL.has(event.value.state)) return;
      }
    } catch {
      // Dropped: the training-service is being restarted.
    } finally {
      client.close();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Each epoch's wall time: from the previous epoch's event (the run's start for epoch 0) to its own. */
const durations = (epochs: Followed['epochs']) => new Map(epochs.map((e, i) => [e.epoch, e.atMs - (i === 0 ? 0 : epochs[i - 1].atMs)]));
/** The longest time without an event between `from` and `to` (the run's end when undefined). */
const longestSilence = (times: number[], from: number, to = Number.POSITIVE_INFINITY) => {
  const inside = [from, ...times.filter((t) => t > from && t <= to)];
  return Math.max(0, ...inside.slice(1).map((t, i) => t - inside[i]));
};
/** What must be bit-identical: everything an epoch records but its timings. */
const measured = (epochs: EpochMetrics[]) => epochs.map(({ timings: _timings, ...rest }) => rest);

it('chaos: SIGKILL of the training-, data-, attack-, uncertainty-service and the nats-server during a tiny run: it completes with the metrics of an uninterrupted run, every epoch printed once, every epoch and snapshot stored once, nothing left behind', async () => {
  const home = await mkdtemp(join(tmpdir(), 'conjugate-chaos-'));
  const env: NodeJS.ProcessEnv = { ...process.env, CONJUGATE_HOME: join(home, '.conjugate'), LOG_LEVEL: 'warn' };
  delete env.NATS_URL; // `up` runs (and supervises) its own nats-server
  let up: ChildProcess | undefined;
  let stackChildren: number[] = [];
  try {
    up = spawn(process.execPath, [BIN, 'up', '--processes', '--dashboard-port', '0', '--json'], { env, cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
    let upLog = '';
    const cli = { run: '' };
    const logs = () => `--- conjugate up (last lines) ---\n${tail(upLog)}\n--- conjugate run (last lines) ---\n${tail(cli.run)}`;
    up.stderr!.on('data', (chunk: Buffer) => (upLog += chunk.toString()));
    const addresses = JSON.parse(await within(120_000, 'starting the stack', logs, new Promise<string>((resolve, reject) => {
      createInterface({ input: up!.stdout! }).once('line', resolve);
      up!.once('exit', (code) => reject(new Error(`conjugate up exited with ${code}:\n${upLog}`)));
    }))) as { nats: string; training: string; stack_file: string };
    const upPid = up.pid!;

    // The reference: the same preset and seed on the same stack, never interrupted.
    const reference = await within(240_000, 'the uninterrupted run', logs, followTinyRun(env, home, cli));
    expect([reference.code, reference.epochs.map((e) => e.epoch)]).toEqual([0, [0, 1, 2]]);

    // The same again, under kills. Each kill waits for the service killed before it to be back, so they
    // come in turn; a moment missed meanwhile comes again in the next epoch.
    const plan = kills();
    const restartsOf = (service: string) => upLog.split('\n').filter((l) => l.startsWith(`[supervisor] ${service} restarted`));
    const eventTimes: number[] = [];
    let next = 0;
    let lastEpoch = -1;
    const onEvent = (event: Event) => {
      eventTimes.push(Date.now());
      if (event.$case === 'epoch') lastEpoch = Math.max(lastEpoch, event.value.metrics!.epoch);
      const kill = plan[next];
      if (!kill?.after(event) || (next > 0 && restartsOf(plan[next - 1].service).length === 0)) return;
      process.kill(childOf(upPid, kill.service), 'SIGKILL');
      Object.assign(kill, { atMs: Date.now(), epoch: lastEpoch + 1 });
      next++;
    };
    let watched: Promise<void> | undefined;
    const chaos = await within(420_000, 'the run under kills', () => `kills done: ${plan.filter((k) => k.atMs).map((k) => k.service).join(', ') || 'none'}\n${logs()}`,
      followTinyRun(env, home, cli, (runId) => (watched = watchClosely(addresses.training, runId, onEvent))));
    await within(60_000, 'watching the run to its end', logs, watched!);
    expect({ code: chaos.code, stderr: chaos.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('reconnecting') });
    expect(plan.filter((k) => k.atMs === undefined).map((k) => `${k.service} was not killed ${k.moment}`)).toEqual([]);
    expect(chaos.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    // The last kill comes close to the run's end: its service may still be coming back.
    await within(120_000, 'the supervisor restarting every killed service', logs, (async () => {
      while (plan.some((k) => restartsOf(k.service).length === 0)) await new Promise((r) => setTimeout(r, 100));
    })());
    for (const { service } of plan) expect(restartsOf(service)).toHaveLength(1);

    // For the CI log: each kill, what restarted it (and how long it was down), how long the run paused —
    // the epoch's wall time beyond the same epoch's in the uninterrupted run.
    const straight = durations(reference.epochs);
    const interrupted = durations(chaos.epochs);
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const report = plan.map(({ service, moment, epoch, atMs }, i) => {
      const restarted = restartsOf(service)[0].replace('[supervisor] ', '');
      const [took, usual] = [interrupted.get(epoch!)!, straight.get(epoch!)!];
      const shared = plan.filter((k) => k.epoch === epoch).length;
      return `  SIGKILL ${service} ${moment} (epoch ${epoch}): ${restarted} by \`up\`'s supervisor; the run's events stopped for ${seconds(longestSilence(eventTimes, atMs!, plan[i + 1]?.atMs))}` +
        ` — epoch ${epoch} took ${seconds(took)} against ${seconds(usual)} uninterrupted (+${seconds(Math.max(0, took - usual))}${shared > 1 ? ` for its ${shared} kills` : ''})`;
    });
    process.stdout.write(`chaos run ${chaos.runId} (reference ${reference.runId}):\n${report.join('\n')}\n`);

    // The run store: each epoch and the one embedding snapshot (tiny: epoch 2) once, and the same
    // measurements, snapshot and weights as the uninterrupted run.
    const training = connectTrainingService(addresses.training);
    try {
      const [run, straightRun] = [await training.getRun(chaos.runId), await training.getRun(reference.runId)];
      expect([run.state, run.reason]).toEqual([RunState.RUN_STATE_COMPLETED, '']);
      expect(run.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
      expect(measured(run.epochs)).toEqual(measured(straightRun.epochs));
      const snapshots = await training.getEmbeddingSnapshots(chaos.runId);
      expect(snapshots.map((s) => s.epoch)).toEqual([2]);
      expect(await readdir(join(home, '.conjugate', 'runs', chaos.runId, 'snapshots'))).toHaveLength(1);
      expect(snapshots).toEqual(await training.getEmbeddingSnapshots(reference.runId));
      expect((await training.getCheckpoint(chaos.runId, -1)).weights).toEqual((await training.getCheckpoint(reference.runId, -1)).weights);
    } finally {
      training.close();
    }

    // JetStream holds each epoch and the snapshot once.
    // The stack's own nats-server has authorization on; its token is only in the stack file.
    const { natsToken } = JSON.parse(readFileSync(addresses.stack_file, 'utf8')) as { natsToken: string };
    await expect(connectNatsBus({ url: addresses.nats, credentials: false })).rejects.toThrow(/Authorization Violation/i);
    const bus = await connectNatsBus({ url: addresses.nats, credentials: { token: natsToken } });
    const stored: string[] = [];
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 20_000);
    try {
      for await (const { event } of bus.subscribe({ runId: chaos.runId, replay: true, signal: abort.signal })) {
        if (event.event?.$case === 'epoch') stored.push(`epoch ${event.event.value.metrics!.epoch}`);
        if (event.event?.$case === 'embedding') stored.push(`embedding ${event.event.value.snapshot!.epoch}`);
        if (event.event?.$case === 'status' && event.event.value.state === RunState.RUN_STATE_COMPLETED) break;
      }
    } finally {
      clearTimeout(timer);
      await bus.close();
    }
    expect(stored).toEqual(['epoch 0', 'epoch 1', 'embedding 2', 'epoch 2']);

    stackChildren = children(upPid);
    const stopped = new Promise((resolve) => up!.once('exit', resolve));
    up.kill('SIGKILL'); // no cleanup by `up` itself: its children must still go
    await stopped;
    const gone = async () => { for (const pid of stackChildren) while (isProcessAlive(pid)) await new Promise((r) => setTimeout(r, 100)); };
    // Bounded by each service's shutdown watchdog (30 s), so 60 s.
    await within(60_000, `the children ${stackChildren.join(', ')} exiting after \`up\` was killed`, () => execFileSync('ps', ['-o', 'pid,ppid,stat,args', '-p', stackChildren.join(',')], { encoding: 'utf8' }), gone());
    expect(stackChildren.filter(isProcessAlive)).toEqual([]);
  } finally {
    for (const child of [...clis, up]) if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const pid of stackChildren) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    await rm(home, { recursive: true, force: true });
  }
}, 900_000);
