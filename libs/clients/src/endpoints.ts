import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** One backend of a target: an address to dial, and the name to present (TLS, :authority) when it was resolved from one. */
export interface Endpoint {
  address: string;
  /** host:port the address was resolved from (the certificate's name); unset for addresses given as such. */
  authority?: string;
}

/** Host and port of `host:port`, `[v6]:port` or `dns:[//authority]/host:port`. */
function hostAndPort(target: string): { host: string; port: string } {
  const path = target.replace(/^dns:(\/\/[^/]*)?\/?/, '');
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(path);
  if (bracketed) return { host: bracketed[1], port: bracketed[2] ?? '' };
  const colon = path.lastIndexOf(':');
  return colon > 0 ? { host: path.slice(0, colon), port: path.slice(colon + 1) } : { host: path, port: '' };
}

/**
 * The backends a gRPC target reaches now: each address of an `ipv4:`/`ipv6:` list, or each distinct
 * address its host name resolves to (a headless Kubernetes Service returns one per ready pod). An IP
 * literal, or a name that does not resolve now, is one backend: the target itself. Dialling each backend
 * on its own channel is what puts shard i of an evaluation on replica i — one round_robin channel sends
 * concurrent calls to whichever backends happen to be connected already.
 */
export async function resolveEndpoints(target: string): Promise<Endpoint[]> {
  const list = /^ipv[46]:(.*)$/.exec(target);
  if (list) {
    const addresses = list[1].split(',').map((a) => a.trim()).filter((a) => a !== '');
    return addresses.length > 0 ? addresses.map((address) => ({ address })) : [{ address: target }];
  }
  const { host, port } = hostAndPort(target);
  if (isIP(host) !== 0 || port === '') return [{ address: target }];
  try {
    const found = [...new Set((await lookup(host, { all: true })).map((a) => a.address))];
    if (found.length <= 1) return [{ address: target }];
    return found.map((ip) => ({ address: isIP(ip) === 6 ? `[${ip}]:${port}` : `${ip}:${port}`, authority: `${host}:${port}` }));
  } catch {
    return [{ address: target }];
  }
}

/** The backends of all targets, in order. */
export async function resolveAllEndpoints(targets: string[]): Promise<Endpoint[]> {
  return (await Promise.all(targets.map(resolveEndpoints))).flat();
}

/** One gRPC target for several host:port addresses (an `ipv4:` list; one address as it is): resolveEndpoints' inverse. */
export function targetOf(addresses: string[]): string {
  return addresses.length === 1 ? addresses[0] : `ipv4:${addresses.join(',')}`;
}
