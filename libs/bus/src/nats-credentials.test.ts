import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { encodeAccount, encodeOperator, encodeUser, fmtCreds } from '@nats-io/jwt';
import { createAccount, createOperator, createUser } from '@nats-io/nkeys';
import { epochEvent, kinds, take } from './bus-behaviour';
import { connectNatsBus } from './nats-bus';
import { natsAuthOptions, natsCredentialsFromEnv } from './nats-credentials';
import { startNatsServer, type NatsServerHandle } from './nats-server-process';

describe.each([
  ['user and password', { user: 'conjugate', password: 's3cret-pw' }, { user: 'conjugate', password: 'wrong' }],
  ['token', { token: 'a-long-random-token' }, { token: 'not-the-token' }],
] as const)('a nats-server with authorization by %s', (_kind, credentials, wrong) => {
  let server: NatsServerHandle;
  beforeAll(async () => {
    server = await startNatsServer({ authorization: credentials });
  });
  afterAll(() => server.stop());

  it('refuses a client without credentials, and with wrong ones', async () => {
    await expect(connectNatsBus({ url: server.url, credentials: false })).rejects.toThrow(/cannot connect to NATS.*Authorization Violation/i);
    await expect(connectNatsBus({ url: server.url, credentials: wrong })).rejects.toThrow(/Authorization Violation/i);
  });

  it('lets a client with them publish and replay', async () => {
    const bus = await connectNatsBus({ url: server.url, credentials });
    try {
      await bus.publishEpoch(epochEvent('r1', 0));
      expect(kinds(await take(bus.subscribe({ runId: 'r1', replay: true }), 1))).toEqual(['epoch r1#0']);
    } finally {
      await bus.close();
    }
  });
});

/**
 * Operator (JWT) mode as `nsc` sets it up: an operator signs an account (JetStream on), the account signs a
 * user; the server preloads the account JWT, the client presents the user's .creds (its JWT and NKEY seed).
 */
async function operatorSetup(): Promise<{ operatorConfig: string; creds: Uint8Array; otherOperatorCreds: Uint8Array }> {
  const operator = createOperator();
  const system = createAccount(); // JetStream needs a system account in operator mode
  const account = createAccount();
  const user = createUser();
  // An account's limits default to 0 once any is given: unlimited connections, subscriptions and JetStream.
  const limits = { conn: -1, subs: -1, data: -1, payload: -1, imports: -1, exports: -1, leaf: -1, wildcards: true, mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 };
  const operatorJwt = await encodeOperator('conjugate-test', operator, { system_account: system.getPublicKey() });
  const systemJwt = await encodeAccount('SYS', system, {}, { signer: operator });
  const accountJwt = await encodeAccount('conjugate', account, { limits }, { signer: operator });
  const userJwt = await encodeUser('training-service', user, account);
  // A user signed by an account the server does not know.
  const stranger = createAccount();
  const strangerUser = createUser();
  const strangerJwt = await encodeUser('intruder', strangerUser, stranger);
  const operatorConfig = [
    `operator: ${operatorJwt}`,
    `system_account: ${system.getPublicKey()}`,
    'resolver: MEMORY',
    `resolver_preload: { ${system.getPublicKey()}: ${systemJwt}, ${account.getPublicKey()}: ${accountJwt} }`,
  ].join('\n');
  return { operatorConfig, creds: fmtCreds(userJwt, user), otherOperatorCreds: fmtCreds(strangerJwt, strangerUser) };
}

describe('a nats-server in operator mode (NKEY/JWT)', () => {
  let server: NatsServerHandle;
  let dir: string;
  let credsFile: string;
  let strangerFile: string;
  beforeAll(async () => {
    const setup = await operatorSetup();
    server = await startNatsServer({ authorization: { operatorConfig: setup.operatorConfig } });
    dir = await mkdtemp(join(tmpdir(), 'conjugate-creds-'));
    credsFile = join(dir, 'user.creds');
    strangerFile = join(dir, 'stranger.creds');
    await writeFile(credsFile, setup.creds, { mode: 0o600 });
    await writeFile(strangerFile, setup.otherOperatorCreds, { mode: 0o600 });
  });
  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a client without a .creds file and one whose account it does not know', async () => {
    await expect(connectNatsBus({ url: server.url, credentials: false })).rejects.toThrow(/Authorization Violation/i);
    await expect(connectNatsBus({ url: server.url, credentials: { credsFile: strangerFile } })).rejects.toThrow(/Authorization Violation/i);
  });

  it('lets a client with its user .creds file (NATS_CREDS_FILE) publish and replay through JetStream', async () => {
    const bus = await connectNatsBus({ url: server.url, credentials: natsCredentialsFromEnv({ NATS_CREDS_FILE: credsFile }) });
    try {
      await bus.publishEpoch(epochEvent('r1', 0));
      expect(kinds(await take(bus.subscribe({ runId: 'r1', replay: true }), 1))).toEqual(['epoch r1#0']);
    } finally {
      await bus.close();
    }
  });
});

describe('NATS credentials from the environment', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads a user and password, a token, or a .creds file', () => {
    expect(natsCredentialsFromEnv({})).toBeUndefined();
    expect(natsCredentialsFromEnv({ NATS_USER: 'u', NATS_PASSWORD: 'p' })).toEqual({ user: 'u', password: 'p' });
    expect(natsCredentialsFromEnv({ NATS_TOKEN: 't' })).toEqual({ token: 't' });
    expect(natsCredentialsFromEnv({ NATS_CREDS_FILE: '/x.creds' })).toEqual({ credsFile: '/x.creds' });
  });

  it('rejects half or several kinds, naming the variables', () => {
    expect(() => natsCredentialsFromEnv({ NATS_USER: 'u' })).toThrow('NATS_USER and NATS_PASSWORD must be set together');
    expect(() => natsCredentialsFromEnv({ NATS_TOKEN: 't', NATS_CREDS_FILE: '/x.creds' })).toThrow(/one of NATS_USER\/NATS_PASSWORD, NATS_TOKEN or NATS_CREDS_FILE/);
    expect(() => natsAuthOptions({ credsFile: join(tmpdir(), 'no-such.creds') })).toThrow(/NATS_CREDS_FILE: cannot read/);
  });

  it('are what a bus uses when it is given none (as every publisher and the dashboard start)', async () => {
    const server = await startNatsServer({ authorization: { token: 'from-the-env' } });
    try {
      process.env.NATS_TOKEN = 'from-the-env';
      const bus = await connectNatsBus({ url: server.url });
      await bus.close();
      process.env.NATS_TOKEN = 'wrong';
      await expect(connectNatsBus({ url: server.url })).rejects.toThrow(/Authorization Violation/i);
    } finally {
      await server.stop();
    }
  });
});
