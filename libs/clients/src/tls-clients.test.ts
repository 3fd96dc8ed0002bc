import { status } from '@grpc/grpc-js';
import { DataServiceClient, DataServiceService, DatasetInfo } from '@conjugate/proto';
import { createLogger, createTestPki, notFound, startGrpcService, type GrpcServiceHandle, type ServiceHandlers, type TestPki } from '@conjugate/service-kit';
import { connectDataService } from './data-client';
import { createClient, unaryCall } from './grpc-client';
import { connectModelServicePeers } from './model-service-peers';

// The clients against a mutual TLS service: TLS from options, from the env (as in a pod), or forced off.
describe('clients over mutual TLS', () => {
  let pki: TestPki;
  let service: GrpcServiceHandle;
  let tls: { caFile: string; certFile: string; keyFile: string };
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    pki = createTestPki();
    const ca = pki.createCa('ca');
    const server = ca.issue('data-service');
    tls = { caFile: ca.caFile, ...ca.issue('client') };
    const implementation: ServiceHandlers<typeof DataServiceService> = {
      listDatasets: () => ({ datasets: [DatasetInfo.fromPartial({ name: 'tiny' })] }),
      describeDataset: (request) => {
        throw notFound(`dataset "${request.name}" is not known`);
      },
      streamBatches: () => undefined,
    };
    service = await startGrpcService({
      name: 'tiny',
      host: '127.0.0.1',
      port: 0,
      logger: createLogger('tiny', { level: 'silent' }),
      services: [{ definition: DataServiceService, implementation }],
      tls: { certFile: server.certFile, keyFile: server.keyFile, clientCaFile: ca.caFile },
    });
  });
  afterEach(() => {
    process.env = { ...savedEnv };
  });
  afterAll(async () => {
    await service.shutdown(0);
    pki.remove();
  });

  it('connects with TLS options', async () => {
    const data = connectDataService(service.address, { tls });
    try {
      expect((await data.listDatasets()).map((d) => d.name)).toEqual(['tiny']);
    } finally {
      data.close();
    }
  });

  it('takes TLS from TLS_CA_FILE, TLS_CERT_FILE and TLS_KEY_FILE when no options are given', async () => {
    Object.assign(process.env, { TLS_CA_FILE: tls.caFile, TLS_CERT_FILE: tls.certFile, TLS_KEY_FILE: tls.keyFile });
    const client = createClient(DataServiceClient, service.address);
    try {
      expect((await unaryCall(client, client.listDatasets, {})).datasets).toHaveLength(1);
    } finally {
      client.close();
    }
  });

  it('is refused without a client certificate, and in plaintext', async () => {
    const noCertificate = connectDataService(service.address, { tls: { caFile: tls.caFile } });
    const plaintext = connectDataService(service.address, { tls: false });
    try {
      await expect(noCertificate.listDatasets()).rejects.toMatchObject({ code: status.UNAVAILABLE });
      await expect(plaintext.listDatasets()).rejects.toMatchObject({ code: status.UNAVAILABLE });
    } finally {
      noCertificate.close();
      plaintext.close();
    }
  });

  it('gives a service its peers over mutual TLS', async () => {
    const peers = connectModelServicePeers({ dataServiceAddress: service.address, maxMessageBytes: 1 << 20, clientTls: tls });
    try {
      // NOT_FOUND is the data-service's own answer: the call went through.
      await expect(peers.data!.describeDataset('nothing')).rejects.toMatchObject({ code: status.NOT_FOUND });
    } finally {
      peers.close();
    }
  });
});
