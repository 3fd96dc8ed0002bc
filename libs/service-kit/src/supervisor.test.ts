import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
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

  // Skipped: on a loaded CI machine this in-Jest variant failed three ways (pid line missing, pid already gone,
  // timeout) while passing alone; the same property — SIGKILL of `up` leaves no child — is checked with real
  // processes by tests/e2e/src/chaos.test.ts. To be made robust (issue 18).
  it.skip('leaves no child behind when the supervising process is SIGKILLed', async () => {
    const port = await freePort();
    // A parent process that supervises a listener and prints the child's pid, then is killed with no chance to clean up.
    const code = `require(${JSON.stringify(join(__dirname, 'supervisor'))}).supervise(${JSON.stringify(listener(port))}).then((c) => console.log(c.pid()))`;
    const parent = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let childPid = 0;
    try {
      // The pid is the parent's line that is a number alone (the supervisor may say more on the same stream).
      childPid = await new Promise<number>((resolve) => {
        let out = '';
        parent.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const pid = out.split('\n').find((line) => /^\d+$/.test(line.trim()));
          if (pid) resolve(Number(pid));
        });
      });
      // The supervised service is up (on a loaded machine its first pid may already have been replaced by a restart).
      expect(childPid).toBeGreaterThan(0);
      while (!(await accepts(port))) await new Promise((r) => setTimeout(r, 50));
      await killAndWait(parent, 'SIGKILL');
      await waitFor(() => !isProcessAlive(childPid));
      // Whichever child listened is gone with its parent (bounded wait: the parent-death signal takes a moment).
      for (let i = 0; i < 100 && (await accepts(port)); i++) await new Promise((r) => setTimeout(r, 50));
      expect(await accepts(port)).toBe(false);
    } finally {
      // Whatever failed above, leave nothing running (a live parent would keep Jest from exiting).
      if (parent.exitCode === null && parent.signalCode === null) await killAndWait(parent, 'SIGKILL');
      if (childPid > 0 && isProcessAlive(childPid)) process.kill(childPid, 'SIGKILL');
    }
  });
});
