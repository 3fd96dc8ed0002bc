import { readFileSync } from 'node:fs';
import { credsAuthenticator, type ConnectionOptions } from '@nats-io/nats-core';

// How a conjugate process proves who it is to NATS: a user and password, a token, or a .creds file
// (a user JWT and its NKEY seed, as `nsc` writes them for an operator-mode server).

export type NatsCredentials = { user: string; password: string } | { token: string } | { credsFile: string };

type Env = Record<string, string | undefined>;
const set = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

/** NATS_USER + NATS_PASSWORD, NATS_TOKEN, or NATS_CREDS_FILE (one of them); undefined when none is set. */
export function natsCredentialsFromEnv(env: Env = process.env): NatsCredentials | undefined {
  const user = set(env.NATS_USER);
  const password = set(env.NATS_PASSWORD);
  const token = set(env.NATS_TOKEN);
  const credsFile = set(env.NATS_CREDS_FILE);
  const kinds = [user !== undefined || password !== undefined, token !== undefined, credsFile !== undefined].filter(Boolean).length;
  if (kinds > 1) throw new Error('NATS credentials: set one of NATS_USER/NATS_PASSWORD, NATS_TOKEN or NATS_CREDS_FILE, not several');
  if (user !== undefined || password !== undefined) {
    if (user === undefined || password === undefined) throw new Error('NATS credentials: NATS_USER and NATS_PASSWORD must be set together');
    return { user, password };
  }
  if (token !== undefined) return { token };
  if (credsFile !== undefined) return { credsFile };
  return undefined;
}

/** The nats.js connection options for these credentials (none: no authentication). */
export function natsAuthOptions(credentials: NatsCredentials | undefined): Partial<ConnectionOptions> {
  if (!credentials) return {};
  if ('user' in credentials) return { user: credentials.user, pass: credentials.password };
  if ('token' in credentials) return { token: credentials.token };
  const { credsFile } = credentials;
  const read = () => {
    try {
      return readFileSync(credsFile);
    } catch (error) {
      throw new Error(`NATS_CREDS_FILE: cannot read ${credsFile}: ${(error as Error).message}`);
    }
  };
  read(); // a wrong path fails at start, naming the variable
  // Read at every (re)connect: a rotated .creds file is picked up without a restart.
  return { authenticator: credsAuthenticator(() => read()) };
}
