import { join } from 'node:path';
import { tmpdir } from 'node:os';
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
