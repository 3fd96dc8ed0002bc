import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeNatsAuthorizationConfig } from '@conjugate/bus';
import { targetOf } from '@conjugate/clients';
import type { Supervised, SupervisedSpec } from '@conjugate/service-kit';
import { conjugateHome, type StackAddresses } from '../addresses';
import type { RunningStack } from './embedded';
import { kernelThreadsPlan } from './kernel-threads';
import { natsServerAvailable } from './nats';
import { natsTokenEnv, newNatsToken } from './nats-token';
import { distinctFreePorts, freePort, freePorts } from './ports';
import { evaluationsInFlight } from './settings';
import { appSpec, startSupervised } from './supervised-app';

/** A supervised nats-server on `port` with its JetStream store in the conjugate home, clients need `token`. */
async function natsSpec(port: number, token: string): Promise<SupervisedSpec> {
  const storeDir = join(conjugateHome(), 'nats');
  await mkdir(storeDir, { recursive: true });
  const config = await writeNatsAuthorizationConfig({ token }, join(conjugateHome(), 'nats-authorization.conf'));
  const binary = process.env.NATS_SERVER_BIN ?? 'nats-server';
  return { name: 'nats-server', command: binary, args: ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir, '-c', config], address: `127.0.0.1:${port}` };
}

/**
 * Each service its own process, talking over loopback gRPC and a real NATS (ours unless NATS_URL is
 * set). Every child is supervised: one that dies is restarted on the same port (see `supervise`), and
 * each is tied to this process so none outlives it, even when this one is SIGKILLed.
 */
export async function startProcessStack(dashboardPort: number, { uncertaintyReplicas = 1, attackReplicas = 1 } = {}): Promise<RunningStack> {
  if (!process.env.NATS_URL && !natsServerAvailable()) throw new Error('`up --processes` needs NATS: install nats-server (apt-get install nats-server) or set NATS_URL');
  const [data, training] = await freePorts(2);
  // Several replicas of the evaluation services: the evaluator shards each robust-accuracy evaluation
  // over the attack replicas and each estimate over the uncertainty replicas, and merges.
  const attacks = await freePorts(attackReplicas);
  const replicas = await freePorts(uncertaintyReplicas);
  const dashboard = dashboardPort || (await freePort());
  // Each service child its own /metrics port (the same on a restart), so Prometheus can scrape every replica.
  const metrics = await distinctFreePorts(2 + attacks.length + replicas.length, [data, training, dashboard, ...attacks, ...replicas]);
  const [dataMetrics, trainingMetrics] = metrics;
  const attackMetrics = metrics.slice(2, 2 + attacks.length);
  const replicaMetrics = metrics.slice(2 + attacks.length);
  const at = (port: number) => `127.0.0.1:${port}`;
  // One target for all attack replicas: the evaluator dials each address of the list (one shard each).
  const attackTarget = targetOf(attacks.map(at));
  const metricsUrl = (port: number) => `http://127.0.0.1:${port}/metrics`;
  const children: Supervised[] = [];
  const stop = async () => { await Promise.all(children.map((child) => child.stop())); };
  const start = async (spec: SupervisedSpec) => {
    const child = await startSupervised(spec);
    children.push(child);
    return child;
  };
  try {
    let nats = process.env.NATS_URL;
    let busDescription = `NATS at ${nats}`;
    let natsToken: string | undefined;
    if (!nats) {
      const natsPort = await freePort();
      natsToken = newNatsToken();
      await start(await natsSpec(natsPort, natsToken));
      nats = `nats://127.0.0.1:${natsPort}`;
      busDescription = `nats-server started at ${nats} (supervised, token authorization)`;
    }
    // With NATS_URL set, the children inherit the user's NATS credentials from the environment.
    const natsEnv = { NATS_URL: nats, ...(natsToken ? natsTokenEnv(natsToken) : {}) };
    const wiring = { DATA_SERVICE_ADDRESS: at(data), TRAINING_SERVICE_ADDRESS: at(training) };
    // Each service's replicas work at once (the shards of a step); attack and estimate steps take turns.
    const inTurn = evaluationsInFlight() === 0;
    const threads = (count: number) => kernelThreadsPlan(count, inTurn);
    const plan: SupervisedSpec[] = [
      appSpec('data-service', data, {}, dataMetrics),
      ...attacks.map((port, i) => appSpec('attack-service', port, { ...wiring, ...threads(attacks.length).evaluation }, attackMetrics[i])),
      ...replicas.map((port, i) => appSpec('uncertainty-service', port, { ...wiring, ...threads(replicas.length).evaluation }, replicaMetrics[i])),
      appSpec('training-service', training, {
        ...natsEnv, DATA_SERVICE_ADDRESS: at(data), RUNS_DIR: join(conjugateHome(), 'runs'),
        ATTACK_SERVICE_ADDRESS: attackTarget, UNCERTAINTY_SERVICE_ADDRESSES: replicas.map(at).join(','), ...kernelThreadsPlan(1, inTurn).training,
      }, trainingMetrics),
      appSpec('dashboard', dashboard, { ...natsEnv, TRAINING_SERVICE_ADDRESS: at(training) }),
    ];
    await Promise.all(plan.map(start));
    const addresses: StackAddresses = {
      data: at(data), training: at(training), attack: attackTarget, uncertainty: replicas.map(at).join(','),
      dashboard: `http://127.0.0.1:${dashboard}/`, nats, natsToken, pid: process.pid,
      metrics: {
        data: metricsUrl(dataMetrics), training: metricsUrl(trainingMetrics), attack: attackMetrics.map(metricsUrl).join(','),
        uncertainty: replicaMetrics.map(metricsUrl).join(','),
      },
    };
    return { addresses, busDescription, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
