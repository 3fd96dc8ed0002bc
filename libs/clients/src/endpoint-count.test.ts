import { endpointCount, shardCount } from './endpoint-count';

describe('endpointCount', () => {
  it.each([
    ['an ipv4: list', 'ipv4:127.0.0.1:1,127.0.0.1:2,127.0.0.1:3', 3],
    ['an IP literal', '127.0.0.1:50053', 1],
    ['a bracketed IPv6 literal', '[::1]:50053', 1],
    ['dns:/// with an IP', 'dns:///10.0.0.7:50053', 1],
    ['a name that does not resolve', 'no-such-host.invalid:50053', 1],
  ])('counts %s', async (_case, target, count) => {
    expect(await endpointCount(target)).toBe(count);
  });

  it('counts the distinct addresses a name resolves to (localhost: one per address family it has)', async () => {
    const { lookup } = await import('node:dns/promises');
    const addresses = new Set((await lookup('localhost', { all: true })).map((a) => a.address));
    expect(await endpointCount('localhost:50053')).toBe(addresses.size);
    expect(await endpointCount('dns:///localhost:50053')).toBe(addresses.size);
  });
});

describe('shardCount', () => {
  it('takes the configured count, else one per backend of all targets', async () => {
    expect(await shardCount(['127.0.0.1:1'], 4)).toBe(4);
    expect(await shardCount(['127.0.0.1:1', 'ipv4:127.0.0.1:2,127.0.0.1:3'])).toBe(3);
    expect(await shardCount([])).toBe(1);
  });
});
