import { appCommand, supervise, type Supervised, type SupervisedSpec, type SupervisorEvent } from '@conjugate/service-kit';

/** Where a child's output and the supervisor's messages go: stderr, each line prefixed with its name. */
const say = (name: string) => (line: string) => process.stderr.write(`[${name}] ${line}\n`);
const onEvent = (event: SupervisorEvent) => say('supervisor')(event.message);

/** One app's src/main.ts as its own process on loopback `port`, with `env` on top of ours, its Prometheus /metrics on `metricsPort` (none: -1). */
export function appSpec(app: string, port: number, env: Record<string, string>, metricsPort = -1): SupervisedSpec {
  return {
    name: app, ...appCommand(app), address: `127.0.0.1:${port}`,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), METRICS_PORT: String(metricsPort), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...env },
  };
}

/** Starts `spec` supervised (restarted with backoff when it dies), its output prefixed on stderr. */
export const startSupervised = (spec: SupervisedSpec): Promise<Supervised> => supervise(spec, { onOutput: say(spec.name), onEvent });
