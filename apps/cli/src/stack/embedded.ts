import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { startAttackService } from '@conjugate/attack-service';
import { connectTrainingService } from '@conjugate/clients';
import { startDashboard } from '@conjugate/dashboard';
import { startDataService } from '@conjugate/data-service';
import { connectEvaluator } from '@conjugate/evaluation';
import { createLogger } from '@conjugate/service-kit';
import { startTrainingService } from '@conjugate/training-service';
import { startUncertaintyService } from '@conjugate/uncertainty-service';
import { conjugateHome, type StackAddresses } from '../addresses';
import { chooseBus } from './bus-choice';
import { freePort } from './ports';
import { appSpec, startSupervised } from './supervised-app';

export interface RunningStack {
  addresses: StackAddresses;
  busDescription: string;
  stop(): Promise<void>;
}

/**
 * Whether the embedded stack runs the attack- and uncertainty-service as child processes: by default when
 * the machine has more than one core; CONJUGATE_EVALUATION_PROCESSES=0 keeps everything in this process
 * (=1 forces children).
 */
export function evaluationInChildProcesses(env = process.env, cores = availableParallelism()): boolean {
  const choice = env.CONJUGATE_EVALUATION_PROCESSES;
  if (choice === '0' || choice === 'false') return false;
  if (choice === '1' || choice === 'true') return true;
  return cores > 1;
}

/**
 * Every service and the dashboard in this process on loopback ports (the attack- and
 * uncertainty-service as child processes on a multi-core machine, see evaluationInChildProcesses). Ports are chosen first because
 * the services point at each other (attack/uncertainty fetch checkpoints from training, whose evaluator
 * calls them back).
 */
export async function startEmbeddedStack(dashboardPort: number): Promise<RunningStack> {
  const host = '127.0.0.1';
  // Errors only by default: every service shares this terminal with the progress bars (LOG_LEVEL=info for more).
  const logger = (name: string) => createLogger(name, { level: process.env.LOG_LEVEL ?? 'error' });
  const [data, training, attack, uncertainty] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const at = (port: number) => `${host}:${port}`;
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => { for (const s of stops.reverse()) await s().catch(() => undefined); };
  try {
    const chosen = await chooseBus();
    stops.push(() => chosen.close());
    const dataService = await startDataService({ host, port: data, logger: logger('data-service') });
    stops.push(() => dataService.shutdown());
    const common = { host, dataServiceAddress: at(data), trainingServiceAddress: at(training) };
    if (evaluationInChildProcesses()) {
      // The evaluation's heavy work (attacks, estimates) on other cores: one epoch evaluates there while
      // this process trains the next. Supervised, and tied to this process like in --processes.
      const wiring = { DATA_SERVICE_ADDRESS: at(data), TRAINING_SERVICE_ADDRESS: at(training), LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' };
      const children = await Promise.all([appSpec('attack-service', attack, wiring), appSpec('uncertainty-service', uncertainty, wiring)].map(startSupervised));
      stops.push(async () => { await Promise.all(children.map((child) => child.stop())); });
    } else {
      const attackService = await startAttackService({ ...common, port: attack, logger: logger('attack-service') });
      stops.push(() => attackService.shutdown());
      const uncertaintyService = await startUncertaintyService({ ...common, port: uncertainty, logger: logger('uncertainty-service') });
      stops.push(() => uncertaintyService.shutdown());
    }
    const remote = connectEvaluator({ attack: at(attack), data: at(data), uncertainty: [at(uncertainty)] });
    stops.push(async () => remote.close());
    const trainingService = await startTrainingService({
      host, port: training, dataServiceAddress: at(data), bus: chosen.bus, evaluator: remote.evaluator,
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
      addresses: { data: at(data), training: at(training), attack: at(attack), uncertainty: at(uncertainty), dashboard: dashboard.url, nats: chosen.natsUrl, natsToken: chosen.natsToken, pid: process.pid },
      busDescription: chosen.describe,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
