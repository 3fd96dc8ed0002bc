import { ReplicaPool } from './replica-pool';

const A = { address: '10.0.0.1:1' };
const B = { address: '10.0.0.2:1' };

/** A call that records where it ran and ends when told. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => { open = resolve; });
  return { open, opened };
}

describe('ReplicaPool', () => {
  it('runs one call per replica at a time; a freed replica takes the next waiting call', async () => {
    const pool = new ReplicaPool();
    const ran: string[] = [];
    const gates = [gate(), gate(), gate()];
    const calls = gates.map((g, i) => pool.run([A, B], async (endpoint) => {
      ran.push(`${i}@${endpoint.address}`);
      await g.opened;
      return i;
    }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual(['0@10.0.0.1:1', '1@10.0.0.2:1']); // the third waits
    gates[1].open();
    await calls[1];
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran[2]).toBe('2@10.0.0.2:1'); // B freed first
    gates[0].open();
    gates[2].open();
    expect(await Promise.all(calls)).toEqual([0, 1, 2]);
  });

  it('frees the replica when a call fails, and drops a waiting call whose signal aborts', async () => {
    const pool = new ReplicaPool();
    const hold = gate();
    const first = pool.run([A], () => hold.opened);
    const abort = new AbortController();
    const waiting = pool.run([A], async () => 'never', abort.signal);
    abort.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    hold.open();
    await first;
    await expect(pool.run([A], async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await pool.run([A], async (e) => e.address)).toBe(A.address);
  });
});
