import { describeEventBusBehaviour, epochEvent, kinds, take } from './bus-behaviour';
import { connectNatsBus } from './nats-bus';
import { startNatsServer } from './nats-server-process';

describeEventBusBehaviour('NATS bus', async () => {
  const server = await startNatsServer();
  return { bus: await connectNatsBus({ url: server.url }), dispose: server.stop };
});

describe('NATS bus against a real nats-server', () => {
  it('keeps the history and resumes a subscription after the server restarts with the same store', async () => {
    const server = await startNatsServer();
    const bus = await connectNatsBus({ url: server.url });
    try {
      await bus.publishEpoch(epochEvent('r1', 0));
      const subscription = bus.subscribe({ runId: 'r1', replay: true });
      await subscription.ready;
      const iterator = subscription[Symbol.asyncIterator]();
      expect(kinds([(await iterator.next()).value])).toEqual(['epoch r1#0']);

      await server.restart();
      // The publish may land while the client is still reconnecting: retry it, as a publisher would.
      await retry(() => bus.publishEpoch(epochEvent('r1', 1)));
      await retry(() => bus.publishEpoch(epochEvent('r1', 1)));
      expect(kinds([(await iterator.next()).value])).toEqual(['epoch r1#1']);
      await iterator.return?.();

      const replayed = await take(bus.subscribe({ replay: true }), 2);
      expect(replayed.map((message) => message.seq)).toEqual([1, 2]);
    } finally {
      await bus.close();
      await server.stop();
    }
  });

  it('fails with a clear error when no server listens', async () => {
    await expect(connectNatsBus({ url: 'nats://127.0.0.1:1' })).rejects.toThrow('cannot connect to NATS at nats://127.0.0.1:1');
  });
});

async function retry<T>(action: () => Promise<T>, attempts = 40): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
