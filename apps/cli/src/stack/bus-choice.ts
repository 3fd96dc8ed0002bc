import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { connectNatsBus, createMemoryBus, type EventBus, startNatsServer } from '@conjugate/bus';
import { conjugateHome } from '../addresses';
import { natsServerAvailable } from './nats';
import { newNatsToken } from './nats-token';

export interface ChosenBus {
  bus: EventBus;
  /** The NATS URL, when the bus is NATS (set, or a server this process started). */
  natsUrl?: string;
  /** The token of the nats-server this process started (authorization is on). */
  natsToken?: string;
  describe: string;
  close(): Promise<void>;
}

/**
 * The embedded stack's bus: NATS at NATS_URL if set; else a nats-server of our own if one is on PATH
 * (so the dashboard replays history like in production); else the in-memory bus.
 */
export async function chooseBus(requireNats = false): Promise<ChosenBus> {
  if (process.env.NATS_URL) {
    const bus = await connectNatsBus({ url: process.env.NATS_URL, name: 'conjugate-up' });
    return { bus, natsUrl: process.env.NATS_URL, describe: `NATS at ${process.env.NATS_URL}`, close: () => bus.close() };
  }
  if (natsServerAvailable()) {
    // The bus package's launcher on a free loopback port; the JetStream store lives in the conjugate
    // home, so the run history (embedding snapshots too) survives a restart of the stack.
    const storeDir = join(conjugateHome(), 'nats');
    await mkdir(storeDir, { recursive: true });
    const token = newNatsToken();
    const server = await startNatsServer({ storeDir, authorization: { token } });
    const bus = await connectNatsBus({ url: server.url, name: 'conjugate-up', credentials: { token } });
    return { bus, natsUrl: server.url, natsToken: token, describe: `nats-server started at ${server.url} (token authorization)`, close: async () => { await bus.close(); await server.stop(); } };
  }
  if (requireNats) throw new Error('`up --processes` needs NATS: install nats-server (apt-get install nats-server) or set NATS_URL');
  const bus = createMemoryBus();
  return { bus, describe: 'in-memory bus (no nats-server on PATH, NATS_URL unset)', close: () => bus.close() };
}
