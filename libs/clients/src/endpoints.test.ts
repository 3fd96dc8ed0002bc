import { lookup } from 'node:dns/promises';
import { resolveAllEndpoints, resolveEndpoints, targetOf } from './endpoints';

describe('resolveEndpoints', () => {
  it.each([
    ['an ipv4: list', 'ipv4:127.0.0.1:1,127.0.0.1:2', [{ address: '127.0.0.1:1' }, { address: '127.0.0.1:2' }]],
    ['an IP literal', '127.0.0.1:50053', [{ address: '127.0.0.1:50053' }]],
    ['a bracketed IPv6 literal', '[::1]:50053', [{ address: '[::1]:50053' }]],
    ['dns:/// with an IP', 'dns:///10.0.0.7:50053', [{ address: 'dns:///10.0.0.7:50053' }]],
    ['a name that does not resolve', 'no-such-host.invalid:50053', [{ address: 'no-such-host.invalid:50053' }]],
  ])('gives %s as its backends', async (_case, target, endpoints) => {
    expect(await resolveEndpoints(target)).toEqual(endpoints);
  });

  it('gives each distinct address a name resolves to, presenting the name (localhost: one per address family it has)', async () => {
    const addresses = [...new Set((await lookup('localhost', { all: true })).map((a) => a.address))];
    const endpoints = await resolveEndpoints('dns:///localhost:50053');
    if (addresses.length === 1) {
      expect(endpoints).toEqual([{ address: 'dns:///localhost:50053' }]);
    } else {
      expect(endpoints.map((e) => e.authority)).toEqual(addresses.map(() => 'localhost:50053'));
      expect(endpoints.map((e) => e.address.replace(/^\[|\]?:50053$/g, ''))).toEqual(addresses);
    }
  });

  it('concatenates the backends of several targets', async () => {
    expect(await resolveAllEndpoints(['127.0.0.1:1', 'ipv4:127.0.0.1:2,127.0.0.1:3'])).toHaveLength(3);
  });
});

describe('targetOf', () => {
  it('is one address as it is, several as an ipv4: list that resolves back to them', async () => {
    expect(targetOf(['127.0.0.1:1'])).toBe('127.0.0.1:1');
    expect(await resolveEndpoints(targetOf(['127.0.0.1:1', '127.0.0.1:2']))).toEqual([{ address: '127.0.0.1:1' }, { address: '127.0.0.1:2' }]);
  });
});
