// Every service as its own process with mutual TLS from the env, as a pod runs it: each answers a
// client with the right certificate (health, reflection, its own API), refuses a plaintext client and a
// client without a certificate, and reaches its peers (data-, training-service) over mutual TLS too.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Metadata, status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { initBackend } from '@conjugate/backend';
import { createClient, type ClientTlsOptions } from '@conjugate/clients';
import { createClassifier, toModelMessage } from '@conjugate/models';
import {
  AttackServiceClient,
  Estimator,
  Space,
  Split,
  TrainingServiceClient,
  UncertaintyServiceClient,
  type EstimateUpdate,
  type EvaluateRobustnessUpdate,
  type ListRunsResponse,
} from '@conjugate/proto';
import { checkHealth, createTestPki, listServicesByReflection, startServiceProcess, type ServiceProcess, type TestPki } from '@conjugate/service-kit';

let pki: TestPki;
let tls: Required<Pick<ClientTlsOptions, 'caFile' | 'certFile' | 'keyFile'>>;
const services: Record<string, ServiceProcess> = {};

/** The env of a service with its own certificate: it serves mutual TLS and uses the same certificate towards its peers. */
function mutualTlsEnv(name: string, caFile: string, issue: (name: string) => { certFile: string; keyFile: string }): Record<string, string> {
  const own = issue(name);
  return { TLS_CERT_FILE: own.certFile, TLS_KEY_FILE: own.keyFile, TLS_CLIENT_CA_FILE: caFile, TLS_CA_FILE: caFile };
}

beforeAll(async () => {
  await initBackend();
  pki = createTestPki();
  const ca = pki.createCa('cluster-ca');
  tls = { caFile: ca.caFile, ...ca.issue('operator') };
  const env = (name: string) => mutualTlsEnv(name, ca.caFile, (n) => ca.issue(n));
  const [data, training] = await Promise.all([
    startServiceProcess('data-service', env('data-service'), 90_000),
    startServiceProcess('training-service', env('training-service'), 90_000),
  ]);
  const peers = { DATA_SERVICE_ADDRESS: data.address, TRAINING_SERVICE_ADDRESS: training.address };
  const [attack, uncertainty] = await Promise.all([
    startServiceProcess('attack-service', { ...env('attack-service'), ...peers }, 90_000),
    startServiceProcess('uncertainty-service', { ...env('uncertainty-service'), ...peers }, 90_000),
  ]);
  Object.assign(services, { data, training, attack, uncertainty });
}, 180_000);

afterAll(async () => {
  await Promise.all(Object.values(services).map((service) => service.stop()));
  pki?.remove();
});

const SERVICES = [
  ['data', 'conjugate.v1.DataService'],
  ['training', 'conjugate.v1.TrainingService'],
  ['attack', 'conjugate.v1.AttackService'],
  ['uncertainty', 'conjugate.v1.UncertaintyService'],
] as const;

describe.each(SERVICES)('the %s-service over mutual TLS', (name, grpcService) => {
  it('logs that it serves mutual TLS', () => {
    expect(services[name].log()).toMatch(/"tls":"mutual"/);
  });

  it('answers health and reflection with the right client certificate', async () => {
    await expect(checkHealth(services[name].address, grpcService, 10_000, tls)).resolves.toBe('SERVING');
    await expect(listServicesByReflection(services[name].address, 10_000, tls)).resolves.toContain(grpcService);
  });

  it('refuses a client without a certificate and a plaintext client (UNAVAILABLE)', async () => {
    await expect(checkHealth(services[name].address, '', 10_000, { caFile: tls.caFile })).rejects.toMatchObject({ code: status.UNAVAILABLE });
    await expect(checkHealth(services[name].address, '', 10_000, undefined)).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });
});

describe("the image's healthcheck (the chart's exec probe under TLS)", () => {
  const healthcheck = (env: Record<string, string>) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('TLS_')));
    const [host, port] = services.data.address.split(':');
    return spawnSync(process.execPath, [join(__dirname, '../../../deploy/docker/healthcheck.cjs')], {
      encoding: 'utf8', env: { ...clean, HEALTHCHECK_HOST: host, PORT: port, ...env },
    });
  };

  it('passes over mutual TLS with a certificate, fails without one', () => {
    const withCertificate = healthcheck({ TLS_CA_FILE: tls.caFile, TLS_CERT_FILE: tls.certFile, TLS_KEY_FILE: tls.keyFile, HEALTHCHECK_SERVER_NAME: 'localhost' });
    expect([withCertificate.status, withCertificate.stderr]).toEqual([0, '']);
    const plaintext = healthcheck({});
    expect(plaintext.status).toBe(1);
    expect(plaintext.stderr).toContain('unhealthy');
  });
});

/** The first error a server stream ends with (undefined if it ends cleanly). */
async function streamError(stream: ClientReadableStream<unknown>): Promise<ServiceError | undefined> {
  try {
    for await (const _ of stream as AsyncIterable<unknown>) void _;
    return undefined;
  } catch (error) {
    return error as ServiceError;
  }
}

describe('calls between services over mutual TLS', () => {
  it('the training-service answers its API', async () => {
    const client = createClient(TrainingServiceClient, services.training.address, { tls });
    try {
      const response = await new Promise<ListRunsResponse>((resolve, reject) =>
        client.listRuns({}, new Metadata(), { deadline: Date.now() + 10_000 }, (error: ServiceError | null, r: ListRunsResponse) => (error ? reject(error) : resolve(r))),
      );
      expect(Array.isArray(response.runs)).toBe(true);
    } finally {
      client.close();
    }
  });

  it("the attack-service streams from the data-service (whose NOT_FOUND for an unknown dataset comes back, not UNAVAILABLE)", async () => {
    const classifier = createClassifier({ architecture: 'tiny', inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
    const model = toModelMessage(classifier);
    classifier.dispose();
    const client = createClient(AttackServiceClient, services.attack.address, { tls });
    try {
      const error = await streamError(client.evaluateRobustness(
        { model: { source: { $case: 'inline', value: model } }, dataset: 'no-such-dataset', split: Split.SPLIT_TEST, offset: 0, limit: 4, indices: [], batchSize: 0, shardIndex: 0, shardCount: 0 },
        new Metadata(), { deadline: Date.now() + 30_000 },
      ) as ClientReadableStream<EvaluateRobustnessUpdate>);
      expect(`${error?.code} ${error?.details}`).toMatch(/^5 /);
      expect(error?.details).toContain('no-such-dataset');
    } finally {
      client.close();
    }
  });

  it('the uncertainty-service fetches checkpoints from the training-service (its NOT_FOUND for an unknown run comes back)', async () => {
    const client = createClient(UncertaintyServiceClient, services.uncertainty.address, { tls });
    try {
      const error = await streamError(client.estimate(
        {
          model: { source: { $case: 'ref', value: { runId: 'no-such-run', epoch: 0 } } },
          spec: { estimator: Estimator.ESTIMATOR_PACKET, space: Space.SPACE_PIXEL, numSamples: 8, jackknifeBatches: 2, seed: 1, sigmaSweep: [], shardIndex: 0, shardCount: 0, batchSize: 0 },
        },
        new Metadata(), { deadline: Date.now() + 30_000 },
      ) as ClientReadableStream<EstimateUpdate>);
      expect(`${error?.code} ${error?.details}`).toMatch(/^5 /);
      expect(error?.details).toContain('no-such-run');
    } finally {
      client.close();
    }
  });
});
