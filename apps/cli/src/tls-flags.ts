import type { Argv } from 'yargs';

// --tls-ca/--tls-cert/--tls-key/--tls-server-name: the same settings as the TLS_* env vars, which every
// client (libs/clients, the probes) and, with `up --processes`, every service process reads.
const FLAG_TO_ENV = {
  'tls-ca': 'TLS_CA_FILE',
  'tls-cert': 'TLS_CERT_FILE',
  'tls-key': 'TLS_KEY_FILE',
  'tls-server-name': 'TLS_SERVER_NAME',
} as const;

export function tlsFlags<T>(y: Argv<T>) {
  return y
    .option('tls-ca', { type: 'string', global: true, describe: 'CA certificate (PEM) that signed the services’ certificates: turns TLS on (env TLS_CA_FILE)' })
    .option('tls-cert', { type: 'string', global: true, describe: 'client certificate (PEM) for mutual TLS (env TLS_CERT_FILE)' })
    .option('tls-key', { type: 'string', global: true, describe: 'its private key (PEM) (env TLS_KEY_FILE)' })
    .option('tls-server-name', { type: 'string', global: true, describe: 'name expected in the services’ certificates, if not the address’s host (env TLS_SERVER_NAME)' });
}

/** Flags win over the env: they are copied into it, where the clients read their TLS settings. */
export function applyTlsFlags(args: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): void {
  for (const [flag, name] of Object.entries(FLAG_TO_ENV)) {
    const value = args[flag];
    if (typeof value === 'string' && value !== '') env[name] = value;
  }
}

const TLS_VARS = ['TLS_CA_FILE', 'TLS_CERT_FILE', 'TLS_KEY_FILE', 'TLS_CLIENT_CA_FILE', 'TLS_SERVER_NAME'] as const;

/**
 * `up` starts services that the CLI's own clients then call, so both sides must agree. The embedded stack
 * serves plaintext on loopback; the process stack serves what the env says (its processes inherit it):
 * TLS needs a certificate, a key and the CA (mutual TLS with TLS_CLIENT_CA_FILE too). Otherwise the TLS
 * settings are dropped for this process and its children; returns the note saying so (undefined if none).
 */
export function tlsSettingsForStack(processes: boolean, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const given = TLS_VARS.filter((name) => env[name]);
  if (given.length === 0) return undefined;
  if (processes && env.TLS_CERT_FILE && env.TLS_KEY_FILE && env.TLS_CA_FILE) return undefined;
  for (const name of given) delete env[name];
  return processes
    ? `TLS settings ignored (${given.join(', ')}): a TLS stack needs TLS_CERT_FILE, TLS_KEY_FILE and TLS_CA_FILE together`
    : `TLS settings ignored (${given.join(', ')}): the embedded stack serves plaintext on loopback (use --processes for TLS)`;
}
