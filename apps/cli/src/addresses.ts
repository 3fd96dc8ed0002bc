import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Where each part of a running stack listens. */
export interface StackAddresses {
  data: string;
  training: string;
  attack: string;
  uncertainty: string;
  dashboard?: string;
  nats?: string;
  /** The token of the stack's own nats-server; only in the stack file (mode 0600), never printed. */
  natsToken?: string;
  /** `up --processes`: each service's Prometheus /metrics URL (the uncertainty replicas' comma-separated, in the order of `uncertainty`). */
  metrics?: Record<ServiceName, string>;
  /** pid of the `conjugate up` that wrote this. */
  pid?: number;
}

export const SERVICES = ['data', 'training', 'attack', 'uncertainty'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Where the stack keeps its state: run records, checkpoints, the stack file. Default ./.conjugate. */
export function conjugateHome(): string {
  return process.env.CONJUGATE_HOME ?? join(process.cwd(), '.conjugate');
}

/** `conjugate up` writes its addresses here so later commands (from the same directory) find the stack. */
export function stackFile(): string {
  return join(conjugateHome(), 'stack.json');
}

export async function writeStackFile(addresses: StackAddresses): Promise<string> {
  const file = stackFile();
  await mkdir(dirname(file), { recursive: true });
  // Only this user may read it: it holds the stack's NATS token.
  await writeFile(file, JSON.stringify(addresses, null, 2) + '\n', { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}

export async function removeStackFile(pid: number): Promise<void> {
  const current = await readStackFile();
  if (current?.pid === pid) await rm(stackFile(), { force: true });
}

export async function readStackFile(): Promise<StackAddresses | undefined> {
  try {
    return JSON.parse(await readFile(stackFile(), 'utf8')) as StackAddresses;
  } catch {
    return undefined;
  }
}

/** Address of one service: --flag, else CONJUGATE_<NAME>_ADDR, else the stack file, else the default port. */
export async function serviceAddress(name: ServiceName, flag: string | undefined): Promise<string> {
  if (flag) return flag;
  const fromEnv = process.env[`CONJUGATE_${name.toUpperCase()}_ADDR`];
  if (fromEnv) return fromEnv;
  const stack = await readStackFile();
  // The stack lists every uncertainty replica; one is enough for a single call.
  if (stack?.[name]) return stack[name].split(',')[0];
  const defaults: Record<ServiceName, string> = { data: '127.0.0.1:50051', training: '127.0.0.1:50052', attack: '127.0.0.1:50053', uncertainty: '127.0.0.1:50054' };
  return defaults[name];
}
