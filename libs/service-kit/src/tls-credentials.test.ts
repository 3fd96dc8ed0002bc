import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { DataServiceClient, DataServiceService, DatasetInfo, type ListDatasetsResponse } from '@conjugate/proto';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { notFound } from './errors';
import type { ServiceHandlers } from './handlers';
import { createLogger } from './logger';
import { checkHealth, listServicesByReflection } from './probes';
import { startGrpcService, type GrpcServiceHandle } from './server';
import { createTestPki, type TestCa, type TestCertificate, type TestPki } from './test-certificates';
import { channelCredentials, clientTlsFromEnv, serverTlsFromEnv, tlsChannelOptions, type ClientTlsOptions, type ServerTlsOptions } from './tls-credentials';

const handlers: ServiceHandlers<typeof DataServiceService> = {
  listDatasets: () => ({ datasets: [DatasetInfo.fromPartial({ name: 'tiny' })] }),
  describeDataset: (request) => {
    throw notFound(`dataset "${request.name}" is not known`);
  },
  streamBatches: () => undefined,
};

const logger = createLogger('tls-test', { level: 'silent' });
const start = (tls: ServerTlsOptions) =>
  startGrpcService({ name: 'tls-test', host: '127.0.0.1', port: 0, services: [{ definition: DataServiceService, implementation: handlers }], logger, tls });

/** ListDatasets through a client with these credentials (undefined: plaintext). */
function listDatasets(address: string, tls: ClientTlsOptions | undefined): Promise<ListDatasetsResponse> {
  const client = new DataServiceClient(address, tls ? channelCredentials(tls) : credentials.createInsecure(), tlsChannelOptions(tls));
  return new Promise<ListDatasetsResponse>((resolve, reject) =>
    client.listDatasets({}, new Metadata(), { deadline: Date.now() + 10_000 }, (error: ServiceError | null, response) => (error ? reject(error) : resolve(response))),
  ).finally(() => client.close());
}

describe('TLS and mutual TLS', () => {
  let pki: TestPki;
  let ca: TestCa;
  let server: TestCertificate;
  let client: TestCertificate;
  let rogueClient: TestCertificate;
  beforeAll(() => {
    pki = createTestPki();
    ca = pki.createCa('ca');
    server = ca.issue('server');
    client = ca.issue('client');
    rogueClient = pki.createCa('rogue-ca').issue('rogue-client');
  });
  afterAll(() => pki.remove());

  describe('a TLS service', () => {
    let service: GrpcServiceHandle;
    beforeAll(async () => {
      service = await start({ certFile: server.certFile, keyFile: server.keyFile });
    });
    afterAll(() => service.shutdown(0));

    it('answers a client that trusts its CA, health and reflection included', async () => {
      const tls = { caFile: ca.caFile };
      expect((await listDatasets(service.address, tls)).datasets.map((d) => d.name)).toEqual(['tiny']);
      await expect(checkHealth(service.address, '', 5_000, tls)).resolves.toBe('SERVING');
      await expect(listServicesByReflection(service.address, 5_000, tls)).resolves.toContain('conjugate.v1.DataService');
    });

    it('refuses a plaintext client', async () => {
      await expect(listDatasets(service.address, undefined)).rejects.toMatchObject({ code: status.UNAVAILABLE });
    });

    it('is refused by a client that does not trust its CA', async () => {
      await expect(listDatasets(service.address, { caFile: pki.createCa('other-ca').caFile })).rejects.toMatchObject({ code: status.UNAVAILABLE });
    });
  });

  describe('a mutual TLS service', () => {
    let service: GrpcServiceHandle;
    beforeAll(async () => {
      service = await start({ certFile: server.certFile, keyFile: server.keyFile, clientCaFile: ca.caFile });
    });
    afterAll(() => service.shutdown(0));

    it('answers a client with a certificate its CA signed', async () => {
      const tls = { caFile: ca.caFile, ...client };
      expect((await listDatasets(service.address, tls)).datasets).toHaveLength(1);
      await expect(checkHealth(service.address, 'conjugate.v1.DataService', 5_000, tls)).resolves.toBe('SERVING');
    });

    it('refuses a client without a certificate (UNAVAILABLE)', async () => {
      await expect(listDatasets(service.address, { caFile: ca.caFile })).rejects.toMatchObject({ code: status.UNAVAILABLE });
    });

    it('refuses a client whose certificate another CA signed', async () => {
      await expect(listDatasets(service.address, { caFile: ca.caFile, ...rogueClient })).rejects.toMatchObject({ code: status.UNAVAILABLE });
    });
  });

  it('serves a rotated certificate once its files change, without a restart', async () => {
    // The served files start as a copy of the first CA's certificate, then get one from a new CA.
    const served = { certFile: join(pki.dir, 'served.pem'), keyFile: join(pki.dir, 'served-key.pem') };
    copyFileSync(server.certFile, served.certFile);
    copyFileSync(server.keyFile, served.keyFile);
    const service = await start({ ...served, refreshIntervalMs: 20 });
    try {
      expect((await listDatasets(service.address, { caFile: ca.caFile })).datasets).toHaveLength(1);
      const nextCa = pki.createCa('next-ca');
      const next = nextCa.issue('next-server');
      // Key first: a certificate without its key would be refused by the server until the key arrives.
      copyFileSync(next.keyFile, served.keyFile);
      copyFileSync(next.certFile, served.certFile);
      let answered = false;
      for (let attempt = 0; attempt < 200 && !answered; attempt++) {
        answered = await listDatasets(service.address, { caFile: nextCa.caFile }).then(() => true, () => false);
        if (!answered) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(answered).toBe(true);
      await expect(listDatasets(service.address, { caFile: ca.caFile })).rejects.toMatchObject({ code: status.UNAVAILABLE });
    } finally {
      await service.shutdown(0);
    }
  });

  it('fails to start naming the variable whose file is missing or unusable', async () => {
    await expect(start({ certFile: join(pki.dir, 'missing.pem'), keyFile: server.keyFile })).rejects.toThrow(/TLS_CERT_FILE: cannot read/);
    await expect(start({ certFile: server.certFile, keyFile: client.keyFile })).rejects.toThrow(/TLS_CERT_FILE, TLS_KEY_FILE/);
  });
});

describe('TLS settings from the environment', () => {
  it('serves plaintext without files, TLS with a certificate and key, mutual TLS with a client CA', () => {
    expect(serverTlsFromEnv({})).toBeUndefined();
    expect(serverTlsFromEnv({ TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem' })).toMatchObject({ certFile: 'c.pem', keyFile: 'k.pem', clientCaFile: undefined });
    expect(serverTlsFromEnv({ TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem', TLS_CLIENT_CA_FILE: 'ca.pem', TLS_REFRESH_MS: '500' })).toEqual({
      certFile: 'c.pem', keyFile: 'k.pem', clientCaFile: 'ca.pem', refreshIntervalMs: 500,
    });
  });

  it('rejects half a configuration, naming what is missing', () => {
    expect(() => serverTlsFromEnv({ TLS_CERT_FILE: 'c.pem' })).toThrow('TLS_CERT_FILE and TLS_KEY_FILE must be set together');
    expect(() => serverTlsFromEnv({ TLS_CLIENT_CA_FILE: 'ca.pem' })).toThrow(/TLS_CLIENT_CA_FILE needs TLS_CERT_FILE/);
    expect(() => clientTlsFromEnv({ TLS_CA_FILE: 'ca.pem', TLS_KEY_FILE: 'k.pem' })).toThrow('TLS_CERT_FILE and TLS_KEY_FILE must be set together');
    expect(() => serverTlsFromEnv({ TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem', TLS_REFRESH_MS: 'soon' })).toThrow(/TLS_REFRESH_MS/);
  });

  it('turns client TLS on with a CA, a client certificate with a certificate and key', () => {
    expect(clientTlsFromEnv({ TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem' })).toBeUndefined();
    expect(clientTlsFromEnv({ TLS_CA_FILE: 'ca.pem', TLS_SERVER_NAME: 'data-service' })).toMatchObject({ caFile: 'ca.pem', certFile: undefined, serverName: 'data-service' });
    expect(clientTlsFromEnv({ TLS_CA_FILE: 'ca.pem', TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem' })).toMatchObject({ caFile: 'ca.pem', certFile: 'c.pem', keyFile: 'k.pem' });
  });
});
