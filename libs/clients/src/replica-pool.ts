import type { Endpoint } from './endpoints';

/** One call at a time per replica: who runs, and who waits for which replicas. */
interface Waiting {
  endpoints: Endpoint[];
  start: (endpoint: Endpoint) => void;
}

const keyOf = (endpoint: Endpoint) => endpoint.address;

/**
 * Replicas shared by the calls of several concurrent steps: each replica runs one call at a time, and a
 * call takes whichever of its replicas is free first (in the order asked), so a replica that finishes a
 * short step goes on with the next shard while another still works on a long one. Waiting calls start in
 * the order they asked; one whose signal aborts leaves the queue.
 */
export class ReplicaPool {
  private readonly busy = new Set<string>();
  private readonly waiting: Waiting[] = [];

  async run<T>(endpoints: Endpoint[], call: (endpoint: Endpoint) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (endpoints.length === 0) throw new Error('ReplicaPool: no replica to run on');
    const endpoint = await this.acquire(endpoints, signal);
    try {
      return await call(endpoint);
    } finally {
      this.busy.delete(keyOf(endpoint));
      this.startWaiting();
    }
  }

  private acquire(endpoints: Endpoint[], signal?: AbortSignal): Promise<Endpoint> {
    signal?.throwIfAborted();
    const free = this.waiting.length === 0 ? this.freeOf(endpoints) : undefined;
    if (free) {
      this.busy.add(keyOf(free));
      return Promise.resolve(free);
    }
    return new Promise((resolve, reject) => {
      const entry: Waiting = {
        endpoints,
        start: (endpoint) => {
          signal?.removeEventListener('abort', leave);
          resolve(endpoint);
        },
      };
      const leave = () => {
        this.waiting.splice(this.waiting.indexOf(entry), 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', leave, { once: true });
      this.waiting.push(entry);
    });
  }

  /** Hands freed replicas to the waiting calls, first come first served. */
  private startWaiting(): void {
    for (let i = 0; i < this.waiting.length; ) {
      const free = this.freeOf(this.waiting[i].endpoints);
      if (!free) {
        i++;
        continue;
      }
      const [entry] = this.waiting.splice(i, 1);
      this.busy.add(keyOf(free));
      entry.start(free);
    }
  }

  private freeOf(endpoints: Endpoint[]): Endpoint | undefined {
    return endpoints.find((endpoint) => !this.busy.has(keyOf(endpoint)));
  }
}
