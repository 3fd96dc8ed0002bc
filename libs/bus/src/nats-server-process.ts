// A real `nats-server -js` on a loopback port (a free one by default) with its own store dir: the CLI's
// stack runs its NATS this way, and tests get a real server from it.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NatsServerHandle {
  url: string;
  port: number;
  storeDir: string;
  /** Stops the server and, unless it was handed in, deletes its store dir. */
  stop(): Promise<void>;
  /** Stops the server and starts it again on the same port with the same store (for reconnect tests). */
  restart(): Promise<void>;
}

export interface NatsServerOptions {
  /** Fixed port; a free one when omitted. */
  port?: number;
  /** JetStream store dir; a fresh temp dir when omitted. */
  storeDir?: string;
  /** The nats-server executable (default: NATS_SERVER_BIN or `nats-server` on PATH). */
  binary?: string;
  /** Authorization on: clients must present this user and password, or this token. Default: none. */
  authorization?: NatsAuthorization;
}

/**
 * A user and password, a token, or operator (JWT) mode: `operatorConfig` is the nats-server configuration
 * that names the operator and its accounts (`operator`, `resolver: MEMORY`, `resolver_preload`), as `nsc`
 * generates it; clients then present a .creds file of a user of one of those accounts.
 */
export type NatsAuthorization = { user: string; password: string } | { token: string } | { operatorConfig: string };

const READY_TIMEOUT_MS = 10_000;

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const binary = options.binary ?? process.env.NATS_SERVER_BIN ?? 'nats-server';
  const ownStore = options.storeDir === undefined;
  const storeDir = options.storeDir ?? (await mkdtemp(join(tmpdir(), 'conjugate-nats-')));
  const configDir = options.authorization ? await mkdtemp(join(tmpdir(), 'conjugate-nats-conf-')) : undefined;
  const auth = configDir ? ['-c', await writeNatsAuthorizationConfig(options.authorization!, join(configDir, 'authorization.conf'))] : [];
  let { child, port } = await launch(binary, options.port ?? -1, storeDir, auth);
  return {
    get url() {
      return `nats://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    storeDir,
    async stop() {
      await terminate(child);
      if (ownStore) await rm(storeDir, { recursive: true, force: true });
      if (configDir) await rm(configDir, { recursive: true, force: true });
    },
    async restart() {
      await terminate(child);
      ({ child, port } = await launch(binary, port, storeDir, auth));
    },
  };
}

/**
 * A nats-server config file (`nats-server -c FILE`) that turns authorization on. The secret goes in a
 * file only this user can read, not on the command line (where `ps` shows it to everyone).
 */
export async function writeNatsAuthorizationConfig(authorization: NatsAuthorization, file: string): Promise<string> {
  const block = 'operatorConfig' in authorization
    ? authorization.operatorConfig
    : 'token' in authorization
      ? `authorization { token: ${JSON.stringify(authorization.token)} }`
      : `authorization { user: ${JSON.stringify(authorization.user)}, password: ${JSON.stringify(authorization.password)} }`;
  await writeFile(file, block + '\n', { mode: 0o600 });
  await chmod(file, 0o600); // writeFile's mode applies only to a new file
  return file;
}

// Port -1 lets the server pick a free port; it logs the one it chose, which is read back here.
function launch(binary: string, port: number, storeDir: string, auth: string[]): Promise<{ child: ChildProcess; port: number }> {
  const args = ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir, ...auth];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    let chosenPort = port;
    const timer = setTimeout(() => fail(new Error(`nats-server not ready after ${READY_TIMEOUT_MS} ms:\n${log}`)), READY_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onOutput = (chunk: Buffer) => {
      log += chunk.toString();
      const listening = /Listening for client connections on [^\s]*:(\d+)/.exec(log);
      if (listening) chosenPort = Number(listening[1]);
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        child.stdout?.off('data', onOutput);
        child.stderr?.off('data', onOutput);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({ child, port: chosenPort });
      }
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.once('error', (error) => fail(new Error(`cannot start ${binary}: ${error.message}`)));
    child.once('exit', (code) => fail(new Error(`nats-server exited with code ${code}:\n${log}`)));
  });
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
