// The behaviour every EventBus must show, run against each implementation (memory-bus.test.ts,
// nats-bus.test.ts). Not a test file itself: it defines the shared suite.
import { RunState, type EpochEvent, type RunEvent } from '@conjugate/proto';
import type { BusMessage, EventBus } from './event-bus';

export function epochEvent(runId: string, epoch: number, testAccuracy = 0.5): EpochEvent {
  return {
    runId,
    metrics: {
      epoch,
      trainLoss: 1,
      trainAccuracy: 0.5,
      testLoss: 1,
      testAccuracy,
      uncertainty: [],
      hasEmbedding: false,
    },
  };
}

/** Reads `count` messages, then ends the subscription (the for-await `break` path). */
export async function take(iterable: AsyncIterable<BusMessage>, count: number): Promise<BusMessage[]> {
  const taken: BusMessage[] = [];
  if (count === 0) return taken;
  for await (const message of iterable) {
    taken.push(message);
    if (taken.length === count) break;
  }
  return taken;
}

function describeEvent({ event }: RunEvent): string {
  if (event === undefined) return 'none';
  if (event.$case === 'epoch') return `epoch ${event.value.runId}#${event.value.metrics?.epoch}`;
  if (event.$case === 'status') return `status ${event.value.runId}:${RunState[event.value.state]}`;
  if (event.$case === 'progress') return `progress ${event.value.runId}#${event.value.epoch}`;
  return `embedding ${event.value.runId}#${event.value.snapshot?.epoch}`;
}

export const kinds = (messages: BusMessage[]) => messages.map((message) => describeEvent(message.event));

export function describeEventBusBehaviour(name: string, createBus: () => Promise<{ bus: EventBus; dispose(): Promise<void> }>) {
  describe(`${name}: EventBus behaviour`, () => {
    let bus: EventBus;
    let dispose: () => Promise<void>;
    beforeEach(async () => {
      ({ bus, dispose } = await createBus());
    });
    afterEach(async () => {
      await bus.close();
      await dispose();
    });

    it('replays the stored history to a late subscriber, in order, then delivers live events', async () => {
      await bus.publishStatus({ runId: 'r1', state: RunState.RUN_STATE_RUNNING, reason: '', atMs: 1 });
      await bus.publishEpoch(epochEvent('r1', 0));
      await bus.publishEpoch(epochEvent('r1', 1));
      await bus.publishEmbedding({ runId: 'r1', snapshot: { epoch: 1, bounds: [] } });

      const subscription = bus.subscribe({ replay: true });
      await subscription.ready;
      await bus.publishEpoch(epochEvent('r1', 2, 0.75));
      const messages = await take(subscription, 5);

      expect(kinds(messages)).toEqual([
        'status r1:RUN_STATE_RUNNING',
        'epoch r1#0',
        'epoch r1#1',
        'embedding r1#1',
        'epoch r1#2',
      ]);
      expect(messages.map((message) => message.seq)).toEqual([1, 2, 3, 4, 5]);
      const last = messages[4].event.event;
      expect(last?.$case === 'epoch' && last.value.metrics?.testAccuracy).toBe(0.75);
    });

    it('stores a retried epoch publish once (message id <runId>.epoch.<epoch>)', async () => {
      await bus.publishEpoch(epochEvent('r1', 1));
      await bus.publishEpoch(epochEvent('r1', 1));
      await bus.publishEpoch(epochEvent('r1', 2));
      const messages = await take(bus.subscribe({ replay: true }), 2);
      expect(kinds(messages)).toEqual(['epoch r1#1', 'epoch r1#2']);
      expect(messages.map((message) => message.seq)).toEqual([1, 2]);
    });

    it('without replay delivers only what is published after it is ready', async () => {
      await bus.publishEpoch(epochEvent('r1', 0));
      const subscription = bus.subscribe({ replay: false });
      await subscription.ready;
      await bus.publishEpoch(epochEvent('r1', 1));
      expect(kinds(await take(subscription, 1))).toEqual(['epoch r1#1']);
    });

    it('resumes after a given sequence number (afterSeq)', async () => {
      for (const epoch of [0, 1, 2, 3]) await bus.publishEpoch(epochEvent('r1', epoch));
      const messages = await take(bus.subscribe({ replay: true, afterSeq: 2 }), 2);
      expect(messages.map((message) => message.seq)).toEqual([3, 4]);
    });

    it('filters by run id', async () => {
      await bus.publishEpoch(epochEvent('other', 0));
      await bus.publishEpoch(epochEvent('r1', 0));
      await bus.publishEpoch(epochEvent('other-2', 0));
      await bus.publishEpoch(epochEvent('r1', 1));
      expect(kinds(await take(bus.subscribe({ runId: 'r1', replay: true }), 2))).toEqual(['epoch r1#0', 'epoch r1#1']);
    });

    it('delivers progress live with seq 0 and never replays it', async () => {
      const subscription = bus.subscribe({ runId: 'r1', replay: true });
      await subscription.ready;
      await bus.publishProgress({ runId: 'r1', epoch: 1, progress: { stage: 'train', done: 3, total: 10, unit: 'batches', ratePerSecond: 1 } });
      await bus.publishEpoch(epochEvent('r1', 1));
      const live = await take(subscription, 2);
      expect(live.map((message) => [describeEvent(message.event), message.seq])).toEqual([
        ['progress r1#1', 0],
        ['epoch r1#1', 1],
      ]);
      expect(kinds(await take(bus.subscribe({ runId: 'r1', replay: true }), 1))).toEqual(['epoch r1#1']);
    });

    it('ends the iteration when the signal aborts', async () => {
      const abort = new AbortController();
      const subscription = bus.subscribe({ replay: true, signal: abort.signal });
      await subscription.ready;
      const received: BusMessage[] = [];
      const iterating = (async () => {
        for await (const message of subscription) received.push(message);
      })();
      abort.abort();
      await iterating;
      expect(received).toEqual([]);
    });

    it('ends open subscriptions when the bus closes', async () => {
      const subscription = bus.subscribe({ replay: true });
      await subscription.ready;
      const iterating = take(subscription, 1);
      await bus.close();
      await expect(iterating).resolves.toEqual([]);
    });

    it('rejects a run id that is not one subject token, naming it', async () => {
      await expect(bus.publishEpoch(epochEvent('a.b', 0))).rejects.toThrow('run_id "a.b" is not a valid run id');
      expect(() => bus.subscribe({ runId: 'r1.*', replay: true })).toThrow('run_id "r1.*"');
    });
  });
}
