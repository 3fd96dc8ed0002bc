import { credentials, experimental, ServerCredentials, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';

// TLS for conjugate's gRPC servers and clients, from PEM files. The files are watched (grpc-js's
// FileWatcherCertificateProvider re-reads them every refresh interval), so certificates that
// cert-manager rotates in a mounted Secret are picked up without a restart.

/** How often the certificate files are re-read. */
export const DEFAULT_TLS_REFRESH_MS = 60_000;

/** A server's TLS: its certificate and key; with `clientCaFile`, clients must present a certificate it signed (mutual TLS). */
export interface ServerTlsOptions {
  certFile: string;
  keyFile: string;
  clientCaFile?: string;
  refreshIntervalMs?: number;
}

/** A client's TLS: the CA that signed the servers' certificates; with `certFile`/`keyFile`, its own certificate (mutual TLS). */
export interface ClientTlsOptions {
  caFile: string;
  certFile?: string;
  keyFile?: string;
  /** Name expected in the server's certificate when it differs from the address's host. */
  serverName?: string;
  refreshIntervalMs?: number;
}

type Env = Record<string, string | undefined>;
const set = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

/** TLS_CERT_FILE + TLS_KEY_FILE (both or neither), optional TLS_CLIENT_CA_FILE; undefined means plaintext. */
export function serverTlsFromEnv(env: Env = process.env): ServerTlsOptions | undefined {
  const certFile = set(env.TLS_CERT_FILE);
  const keyFile = set(env.TLS_KEY_FILE);
  const clientCaFile = set(env.TLS_CLIENT_CA_FILE);
  if (!certFile !== !keyFile) throw new Error('TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  if (!certFile || !keyFile) {
    if (clientCaFile) throw new Error('TLS_CLIENT_CA_FILE needs TLS_CERT_FILE and TLS_KEY_FILE (mutual TLS is TLS with client certificates)');
    return undefined;
  }
  return { certFile, keyFile, clientCaFile, refreshIntervalMs: refreshFromEnv(env) };
}

/**
 * TLS_CA_FILE turns TLS on for clients; TLS_CERT_FILE + TLS_KEY_FILE add a client certificate (a service's
 * own certificate doubles as its client certificate towards its peers); TLS_SERVER_NAME overrides the name checked.
 */
export function clientTlsFromEnv(env: Env = process.env): ClientTlsOptions | undefined {
  const caFile = set(env.TLS_CA_FILE);
  const certFile = set(env.TLS_CERT_FILE);
  const keyFile = set(env.TLS_KEY_FILE);
  if (!certFile !== !keyFile) throw new Error('TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  if (!caFile) return undefined;
  return { caFile, certFile, keyFile, serverName: set(env.TLS_SERVER_NAME), refreshIntervalMs: refreshFromEnv(env) };
}

function refreshFromEnv(env: Env): number {
  const raw = set(env.TLS_REFRESH_MS);
  if (raw === undefined) return DEFAULT_TLS_REFRESH_MS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 10) throw new Error(`TLS_REFRESH_MS: an integer ≥ 10 (ms) expected (got ${JSON.stringify(raw)})`);
  return value;
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(`${what}: cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Reads the files once now, so a wrong path or a key that does not match its certificate fails at start, naming the variable. */
function checkFiles(files: { cert?: string; key?: string; ca?: string }, caName: string): void {
  const options: SecureContextOptions = {};
  if (files.cert) options.cert = readPem(files.cert, 'TLS_CERT_FILE');
  if (files.key) options.key = readPem(files.key, 'TLS_KEY_FILE');
  if (files.ca) options.ca = readPem(files.ca, caName);
  try {
    createSecureContext(options);
  } catch (error) {
    const names = [files.cert && 'TLS_CERT_FILE', files.key && 'TLS_KEY_FILE', files.ca && caName].filter(Boolean).join(', ');
    throw new Error(`TLS files (${names}) are not a usable PEM certificate/key/CA: ${(error as Error).message}`);
  }
}

/** Resolves once the provider has read its files (a listener starts its watch; removing it stops the timer until the server listens). */
function firstRead(provider: experimental.FileWatcherCertificateProvider): Promise<void> {
  return new Promise((resolve, reject) => {
    const listener = (update: experimental.IdentityCertificateUpdate | null) => {
      provider.removeIdentityCertificateListener(listener);
      if (update) resolve();
      else reject(new Error('TLS: the certificate or key file could not be read'));
    };
    provider.addIdentityCertificateListener(listener);
  });
}

/** Plaintext without `tls`; else TLS (mutual TLS with `clientCaFile`) from watched files. */
export async function serverCredentials(tls: ServerTlsOptions | undefined): Promise<ServerCredentials> {
  if (!tls) return ServerCredentials.createInsecure();
  checkFiles({ cert: tls.certFile, key: tls.keyFile, ca: tls.clientCaFile }, 'TLS_CLIENT_CA_FILE');
  const provider = new experimental.FileWatcherCertificateProvider({
    certificateFile: tls.certFile,
    privateKeyFile: tls.keyFile,
    caCertificateFile: tls.clientCaFile,
    refreshIntervalMs: tls.refreshIntervalMs ?? DEFAULT_TLS_REFRESH_MS,
  });
  await firstRead(provider);
  const mutual = tls.clientCaFile !== undefined;
  // grpc-js names this function's parameters the other way round: the first is the identity provider.
  return experimental.createCertificateProviderServerCredentials(provider, mutual ? provider : null, mutual);
}

// One credentials object per set of files: grpc-js shares connections between channels with equal credentials.
const channelCredentialsCache = new Map<string, ChannelCredentials>();

/** Plaintext without `tls`; else TLS (with a client certificate when given) from watched files. */
export function channelCredentials(tls: ClientTlsOptions | undefined): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  const key = JSON.stringify([tls.caFile, tls.certFile, tls.keyFile, tls.refreshIntervalMs]);
  let cached = channelCredentialsCache.get(key);
  if (!cached) {
    checkFiles({ cert: tls.certFile, key: tls.keyFile, ca: tls.caFile }, 'TLS_CA_FILE');
    const provider = new experimental.FileWatcherCertificateProvider({
      certificateFile: tls.certFile,
      privateKeyFile: tls.keyFile,
      caCertificateFile: tls.caFile,
      refreshIntervalMs: tls.refreshIntervalMs ?? DEFAULT_TLS_REFRESH_MS,
    });
    cached = experimental.createCertificateProviderChannelCredentials(provider, tls.certFile ? provider : null);
    channelCredentialsCache.set(key, cached);
  }
  return cached;
}

/** Channel options a TLS client needs besides its credentials (the name to check in the server's certificate). */
export function tlsChannelOptions(tls: ClientTlsOptions | undefined): ChannelOptions {
  return tls?.serverName ? { 'grpc.ssl_target_name_override': tls.serverName, 'grpc.default_authority': tls.serverName } : {};
}
