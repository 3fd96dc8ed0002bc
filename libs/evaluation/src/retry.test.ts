import { measureWithRetry } from './retry';

const grpcError = (code: number, message: string) => Object.assign(new Error(message), { code });

describe('measureWithRetry', () => {
  it('retries a transient failure and returns the value once it succeeds', async () => {
    let calls = 0;
    const result = await measureWithRetry('robust/pixel', async () => {
      calls++;
      if (calls < 3) throw grpcError(14, '14 UNAVAILABLE: No connection established');
      return 0.42;
    }, { attempts: 3, firstDelayMs: 1 });
    expect(result).toEqual({ ok: true, value: 0.42 });
    expect(calls).toBe(3);
  });

  it('gives up after the last try with a reason that says what and why', async () => {
    const result = await measureWithRetry('packet/feature', async () => { throw grpcError(4, '4 DEADLINE_EXCEEDED: Deadline exceeded'); }, { attempts: 2, firstDelayMs: 1 });
    expect(result).toEqual({ ok: false, reason: 'packet/feature failed after 2 tries: 4 DEADLINE_EXCEEDED: Deadline exceeded' });
  });

  it('does not retry a request the service rejected as invalid', async () => {
    let calls = 0;
    const result = await measureWithRetry('ensemble/pixel', async () => { calls++; throw grpcError(3, '3 INVALID_ARGUMENT: spec.num_points must be ≥ 0'); }, { attempts: 5, firstDelayMs: 1 });
    expect(calls).toBe(1);
    expect(result.ok).toBe(false);
  });

  it('by default keeps retrying a service that is down until it is back (a supervised restart)', async () => {
    let calls = 0;
    const result = await measureWithRetry('robust/feature', async () => {
      calls++;
      if (calls < 8) throw grpcError(14, '14 UNAVAILABLE: Connection dropped');
      return 0.5;
    }, { firstDelayMs: 1 });
    expect(result).toEqual({ ok: true, value: 0.5 });
    expect(calls).toBe(8);
  });

  it('gives up once its deadline has passed, saying how often it tried', async () => {
    let calls = 0;
    const result = await measureWithRetry('embedding', async () => { calls++; throw grpcError(14, '14 UNAVAILABLE: No connection established'); }, { firstDelayMs: 1, deadlineMs: 30 });
    expect(calls).toBeGreaterThan(1);
    expect(result).toEqual({ ok: false, reason: `embedding failed after ${calls} tries: 14 UNAVAILABLE: No connection established` });
  });
});
