import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** The host of a gRPC target: `host:port`, `dns:///host:port`, `dns://authority/host:port`, `[v6]:port`. */
function targetHost(target: string): string {
  const path = target.replace(/^dns:(\/\/[^/]*)?\/?/, '');
  const bracketed = /^\[([^\]]+)\]/.exec(path);
  if (bracketed) return bracketed[1];
  const colon = path.lastIndexOf(':');
  return colon > 0 ? path.slice(0, colon) : path;
}

/**
 * How many backends a gRPC target reaches: the addresses of an `ipv4:`/`ipv6:` list, or the distinct
 * addresses its host name resolves to (a headless Kubernetes Service returns one per ready pod). An IP
 * literal, or a name that does not resolve now, counts as one. With the round_robin policy, that many
 * concurrent calls on one channel go to that many different backends.
 */
export async function endpointCount(target: string): Promise<number> {
  const list = /^ipv[46]:(.*)$/.exec(target);
  if (list) return Math.max(1, list[1].split(',').filter((a) => a.trim() !== '').length);
  const host = targetHost(target);
  if (isIP(host) !== 0) return 1;
  try {
    const addresses = await lookup(host, { all: true });
    return Math.max(1, new Set(addresses.map((a) => a.address)).size);
  } catch {
    return 1;
  }
}

/** The configured shard count when it is > 0, else one shard per backend the targets reach. */
export async function shardCount(targets: string[], configured = 0): Promise<number> {
  if (configured > 0) return configured;
  const counts = await Promise.all(targets.map(endpointCount));
  return Math.max(1, counts.reduce((a, b) => a + b, 0));
}
