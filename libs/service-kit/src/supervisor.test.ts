import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { isProcessAlive, killAndWait } from './service-process';
import { supervise, type SupervisorEvent } from './supervisor';

const freePort = () => new Promise<number>((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  });
});
const accepts = (port: number) => new Promise<boolean>((resolve) => {
  const socket = createConnection({ host: '127.0.0.1', port }, () => { socket.end(); resolve(true); });
  socket.once('error', () => resolve(false));
});
const waitFor = async (what: () => boolean) => { while (!what()) await new Promise((r) => setTimeout(r, 50)); };
/** Polls `condition` until it holds; fails after `ms` naming what it waited for, or at once when `failed()` says why. */
const waitUntil = async (what: string, ms: number, condition: () => boolean, failed: () => string | false = () => false) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    const why = failed();
    if (why) throw new Error(`waiting for ${what}: ${why}`);
    if (Date.now() > deadline) throw new Error(`waiting for ${what}: not within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
// A real child: a node process listening on PORT.
const listener = (port: number) => ({ name: 'listener', command: process.execPath, args: ['-e', `require('net').createServer().listen(${port}, '127.0.0.1')`], address: `127.0.0.1:${port}` });

describe('supervise', () => {
  it('restarts a SIGKILLed child on the same port, says how it exited, and stops it for good on stop()', async () => {
    const port = await freePort();
    const events: SupervisorEvent[] = [];
    const child = await supervise(listener(port), { firstDelayMs: 10, onEvent: (e) => events.push(e) });
    try {
      const firstPid = child.pid()!;
      process.kill(firstPid, 'SIGKILL');
      await waitFor(() => events.some((e) => e.type === 'restarted'));
      await child.ready();
      expect(events.map((e) => e.type)).toEqual(['exited', 'restarted']);
      expect(events[0]).toMatchObject({ signal: 'SIGKILL', code: null, pid: firstPid });
      expect(events[0].message).toContain('signal SIGKILL');
      expect(child.pid()).not.toBe(firstPid);
      expect(child.state()).toMatchObject({ state: 'up', restarts: 1, lastExit: 'signal SIGKILL' });
      expect(await accepts(port)).toBe(true);
    } finally {
      const pid = child.pid()!;
      await child.stop();
      expect(isProcessAlive(pid)).toBe(false);
      expect(child.state().state).toBe('stopped');
    }
  });

  it('reports a service that keeps crashing as down, with its exit code', async () => {
    const port = await freePort();
    const marker = join(tmpdir(), `conjugate-supervisor-${process.pid}-${port}`);
    const events: SupervisorEvent[] = [];
    // Listens the first time, then (the marker file exists) exits with code 7 at every restart.
    const script = `const fs=require('fs');if(fs.existsSync(${JSON.stringify(marker)}))process.exit(7);fs.writeFileSync(${JSON.stringify(marker)},'');require('net').createServer().listen(${port},'127.0.0.1')`;
    const child = await supervise({ name: 'crasher', command: process.execPath, args: ['-e', script], address: `127.0.0.1:${port}` },
      { firstDelayMs: 5, maxDelayMs: 20, downAfterCrashes: 3, onEvent: (e) => events.push(e) });
    try {
      process.kill(child.pid()!, 'SIGTERM');
      await waitFor(() => events.some((e) => e.type === 'down'));
      expect(events.filter((e) => e.type === 'exited').map((e) => (e.type === 'exited' ? e.code ?? e.signal : undefined))).toEqual(['SIGTERM', 7, 7]);
      expect(events.find((e) => e.type === 'down')!.message).toContain('crasher is DOWN: it crashed 3 times in a row (last: exit code 7)');
      expect(child.state().state).toBe('down');
    } finally {
      await child.stop();
      rmSync(marker, { force: true });
    }
  });

  // Robust under load: nothing waits for a fixed time, and nothing depends on which pid a restart gave the
  // child or on the port staying free afterwards. Every child the supervisor starts appends its own pid to
  // a file; the test waits (bounded generously) for the conditions it needs and checks those pids.
  it('leaves no child behind when the supervising process is SIGKILLed', async () => {
    const port = await freePort();
    const pidsFile = join(tmpdir(), `conjugate-orphans-${process.pid}-${port}.pids`);
    const script = `require('fs').appendFileSync(${JSON.stringify(pidsFile)}, process.pid + '\\n');require('net').createServer().listen(${port}, '127.0.0.1')`;
    const spec = { name: 'listener', command: process.execPath, args: ['-e', script], address: `127.0.0.1:${port}` };
    // A parent that supervises the listener, says "ready" once it is up, and is then killed with no chance to clean up.
    const code = `require(${JSON.stringify(join(__dirname, 'supervisor'))}).supervise(${JSON.stringify(spec)}).then(() => console.log('ready'), (e) => { console.error(e); process.exit(1); })`;
    const parent = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    parent.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    parent.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const childPids = () => readFileSync(pidsFile, 'utf8').split('\n').filter(Boolean).map(Number);
    // Gone, or its pid now belongs to some other process (not our listener).
    const listenerAlive = (pid: number) => {
      try {
        return isProcessAlive(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(pidsFile);
      } catch {
        return false; // it went away between the two looks
      }
    };
    try {
      await waitUntil('the parent to say ready', 120_000, () => output.split('\n').includes('ready'), () => parent.exitCode !== null && `the parent exited (${parent.exitCode}):\n${output}`);
      expect(childPids().length).toBeGreaterThan(0);
      await killAndWait(parent, 'SIGKILL');
      // The parent-death signal (or the child's own watch) takes a moment, more on a loaded machine.
      await waitUntil('every child to exit after its parent was SIGKILLed', 60_000, () => childPids().every((pid) => !listenerAlive(pid)));
      expect(childPids().filter(listenerAlive)).toEqual([]);
    } finally {
      // Whatever failed above, leave nothing running (a live parent would keep Jest from exiting).
      if (parent.exitCode === null && parent.signalCode === null) await killAndWait(parent, 'SIGKILL');
      for (const pid of existsSync(pidsFile) ? childPids() : []) if (listenerAlive(pid)) process.kill(pid, 'SIGKILL');
      rmSync(pidsFile, { force: true });
    }
  }, 240_000);
});
