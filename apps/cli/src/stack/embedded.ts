import { join } from 'node:path';
import { startAttackService } from '@conjugate/attack-service';
import { connectTrainingService, targetOf } from '@conjugate/clients';
import { startDashboard } from '@conjugate/dashboard';
import { startDataService } from '@conjugate/data-service';
import { connectEvaluator } from '@conjugate/evaluation';
import { createLogger } from '@conjugate/service-kit';
import { startTrainingService } from '@conjugate/training-service';
import { startUncertaintyService } from '@conjugate/uncertainty-service';
import { conjugateHome, type StackAddresses } from '../addresses';
import { chooseBus } from './bus-choice';
import { kernelThreadsPlan } from './kernel-threads';
import { freePorts } from './ports';
import { evaluationProcesses, evaluationsInFlight } from './settings';
import { appSpec, startSupervised } from './supervised-app';

export interface RunningStack {
  addresses: StackAddresses;
  busDescription: string;
  stop(): Promise<void>;
}

/**
 * Every service and the dashboard in this process on loopback ports (the attack- and
 * uncertainty-service as child processes on a multi-core machine, see evaluationProcesses). Ports are chosen first because
 * the services point at each other (attack/uncertainty fetch checkpoints from training, whose evaluator
 * calls them back).
 */
export async function startEmbeddedStack(dashboardPort: number): Promise<RunningStack> {
  const host = '127.0.0.1';
  // Errors only by default: every service shares this terminal with the progress bars (LOG_LEVEL=info for more).
  const logger = (name: string) => createLogger(name, { level: process.env.LOG_LEVEL ?? 'error' });
  const children = evaluationProcesses();
  const inFlight = evaluationsInFlight();
  const threads = kernelThreadsPlan(children, inFlight === 0);
  // This process trains: its kernel threads are set before its backend starts (without children it
  // also evaluates, and keeps every core).
  if (children > 0) Object.assign(process.env, threads.training);
  const [[data, training], attacks, uncertainties] = await Promise.all([freePorts(2), freePorts(children), freePorts(children)]);
  const at = (port: number) => `${host}:${port}`;
  // One target for all attack children: the evaluator dials each address of the list (a shard each).
  const attackTarget = targetOf(attacks.map(at));
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => { for (const s of stops.reverse()) await s().catch(() => undefined); };
  try {
    const chosen = await chooseBus();
    stops.push(() => chosen.close());
    const dataService = await startDataService({ host, port: data, logger: logger('data-service') });
    stops.push(() => dataService.shutdown());
    const common = { host, dataServiceAddress: at(data), trainingServiceAddress: at(training) };
    if (children > 0) {
      // The evaluation's heavy work (attacks, estimates) on other cores: one epoch evaluates there, each
      // step sharded over the children, while this process trains the next. Supervised, and tied to this
      // process like in --processes.
      const wiring = { DATA_SERVICE_ADDRESS: at(data), TRAINING_SERVICE_ADDRESS: at(training), LOG_LEVEL: process.env.LOG_LEVEL ?? 'error', ...threads.evaluation };
      const specs = [...attacks.map((port) => appSpec('attack-service', port, wiring)), ...uncertainties.map((port) => appSpec('uncertainty-service', port, wiring))];
      const started = await Promise.all(specs.map(startSupervised));
      stops.push(async () => { await Promise.all(started.map((child) => child.stop())); });
    } else {
      const attackService = await startAttackService({ ...common, port: attacks[0], logger: logger('attack-service') });
      stops.push(() => attackService.shutdown());
      const uncertaintyService = await startUncertaintyService({ ...common, port: uncertainties[0], logger: logger('uncertainty-service') });
      stops.push(() => uncertaintyService.shutdown());
    }
    const remote = connectEvaluator({ attack: attackTarget, data: at(data), uncertainty: uncertainties.map(at) });
    stops.push(async () => remote.close());
    const trainingService = await startTrainingService({
      host, port: training, localData: dataService.local, bus: chosen.bus, evaluator: remote.evaluator, evaluationsInFlight: inFlight,
      runsDir: join(conjugateHome(), 'runs'), logger: logger('training-service'),
    });
    stops.push(() => trainingService.shutdown());
    const figuresFrom = connectTrainingService(at(training));
    stops.push(async () => figuresFrom.close());
    const dashboardOptions = { bus: chosen.bus, training: figuresFrom, host, logger: logger('dashboard') };
    const dashboard = await startDashboard({ ...dashboardOptions, port: dashboardPort })
      .catch((error: { code?: string }) => {
        if (error.code !== 'EADDRINUSE') throw error;
        return startDashboard({ ...dashboardOptions, port: 0 });
      });
    stops.push(() => dashboard.close());
    return {
      addresses: { data: at(data), training: at(training), attack: attackTarget, uncertainty: uncertainties.map(at).join(','), dashboard: dashboard.url, nats: chosen.natsUrl, natsToken: chosen.natsToken, pid: process.pid },
      busDescription: chosen.describe,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
