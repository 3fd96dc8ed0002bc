import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createTestPki, startServiceProcess, type ServiceProcess, type TestPki } from '@conjugate/service-kit';
import { applyTlsFlags, tlsSettingsForStack } from './tls-flags';

const BIN = join(__dirname, '..', 'bin', 'conjugate.cjs');

describe('the CLI against a mutual TLS training-service', () => {
  let pki: TestPki;
  let training: ServiceProcess;
  let client: { caFile: string; certFile: string; keyFile: string };
  // Without the TLS_* env of the Jest process: the flags alone must carry the settings.
  const conjugate = (...args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env, CONJUGATE_HOME: '/nonexistent-conjugate-home' };
    for (const name of ['TLS_CA_FILE', 'TLS_CERT_FILE', 'TLS_KEY_FILE', 'TLS_SERVER_NAME']) delete env[name];
    return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env });
  };

  beforeAll(async () => {
    pki = createTestPki();
    const ca = pki.createCa('ca');
    const server = ca.issue('training-service');
    client = { caFile: ca.caFile, ...ca.issue('operator') };
    training = await startServiceProcess('training-service', { TLS_CERT_FILE: server.certFile, TLS_KEY_FILE: server.keyFile, TLS_CLIENT_CA_FILE: ca.caFile, RUNS_DIR: join(pki.dir, 'runs') }, 90_000);
  }, 120_000);
  afterAll(async () => {
    await training?.stop();
    pki?.remove();
  });

  it('lists runs with --tls-ca, --tls-cert and --tls-key', () => {
    const result = conjugate('runs', '--training', training.address, '--tls-ca', client.caFile, '--tls-cert', client.certFile, '--tls-key', client.keyFile, '--json');
    expect(result.stderr).not.toContain('conjugate:');
    expect(result.status).toBe(0);
    expect(Array.isArray(JSON.parse(result.stdout))).toBe(true);
  });

  it('without a client certificate cannot reach it (exit 3) and says which flags TLS needs', () => {
    const result = conjugate('runs', '--training', training.address, '--tls-ca', client.caFile);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('--tls-ca (and --tls-cert/--tls-key for mutual TLS)');
    expect(conjugate('runs', '--training', training.address).status).toBe(3);
  });
});

describe('applyTlsFlags', () => {
  it('copies the given flags over the env and leaves the rest', () => {
    const env: NodeJS.ProcessEnv = { TLS_CA_FILE: 'from-env.pem', TLS_KEY_FILE: 'key.pem' };
    applyTlsFlags({ 'tls-ca': 'flag.pem', 'tls-cert': 'cert.pem', 'tls-key': undefined }, env);
    expect(env).toEqual({ TLS_CA_FILE: 'flag.pem', TLS_CERT_FILE: 'cert.pem', TLS_KEY_FILE: 'key.pem' });
  });
});

describe('tlsSettingsForStack (conjugate up)', () => {
  it('drops TLS settings for the embedded stack, which serves plaintext, and says so', () => {
    const env: NodeJS.ProcessEnv = { TLS_CA_FILE: 'ca.pem', PATH: '/bin' };
    expect(tlsSettingsForStack(false, env)).toContain('TLS settings ignored (TLS_CA_FILE)');
    expect(env).toEqual({ PATH: '/bin' });
  });

  it('keeps them for a process stack given a certificate, a key and the CA; drops half a configuration', () => {
    const full: NodeJS.ProcessEnv = { TLS_CA_FILE: 'ca.pem', TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem', TLS_CLIENT_CA_FILE: 'ca.pem' };
    expect(tlsSettingsForStack(true, full)).toBeUndefined();
    expect(Object.keys(full)).toHaveLength(4);
    const half: NodeJS.ProcessEnv = { TLS_CA_FILE: 'ca.pem' };
    expect(tlsSettingsForStack(true, half)).toContain('needs TLS_CERT_FILE, TLS_KEY_FILE and TLS_CA_FILE together');
    expect(half).toEqual({});
    expect(tlsSettingsForStack(false, {})).toBeUndefined();
  });
});
