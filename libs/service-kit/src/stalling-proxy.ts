import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * For tests of streaming services: a TCP proxy to 127.0.0.1:`port` whose `stall()` stops reading
 * what the server sends — a client on a slow link. (Pausing a grpc-js stream is no such test:
 * Node's HTTP/2 client keeps reading a paused stream into memory.)
 */
export async function stallingProxy(port: number): Promise<{ port: number; stall(): void; close(): void }> {
  const sockets: Socket[] = [];
  const upstreams: Socket[] = [];
  const server = createServer((downstream) => {
    const upstream = connect(port, '127.0.0.1');
    downstream.pipe(upstream);
    upstream.pipe(downstream);
    for (const socket of [downstream, upstream]) socket.on('error', () => undefined);
    sockets.push(downstream, upstream);
    upstreams.push(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stall: () =>
      upstreams.forEach((upstream) => {
        upstream.unpipe();
        upstream.pause();
      }),
    close: () => {
      sockets.forEach((socket) => socket.destroy());
      server.close();
    },
  };
}
