import { createConnection, createServer } from 'node:net';

/** A port free on 127.0.0.1 right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `count` (at least one) ports free on 127.0.0.1 right now. */
export function freePorts(count: number): Promise<number[]> {
  return Promise.all(Array.from({ length: Math.max(1, count) }, () => freePort()));
}

/** `count` ports free on 127.0.0.1 right now, none equal to another or to one of `taken`. */
export async function distinctFreePorts(count: number, taken: number[] = []): Promise<number[]> {
  const seen = new Set(taken);
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort();
    if (!seen.has(port)) ports.push(port);
    seen.add(port);
  }
  return ports;
}

/** Resolves once host:port accepts TCP connections; rejects after `timeoutMs` or when `gaveUp()` says so. */
export async function waitForPort(address: string, timeoutMs: number, gaveUp: () => string | undefined = () => undefined): Promise<void> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host, port }, () => { socket.end(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    const reason = gaveUp();
    if (reason) throw new Error(reason);
    if (Date.now() > deadline) throw new Error(`nothing listens on ${address} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
