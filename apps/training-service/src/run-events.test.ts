import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectNatsBus, startNatsServer } from '@conjugate/bus';
import { RunState } from '@conjugate/proto';
import { createLogger } from '@conjugate/service-kit';
import { RunEvents } from './run-events';

const silent = createLogger('run-events-test', { level: 'silent' });
const metrics = (epoch: number) => ({ epoch, trainLoss: 0, trainAccuracy: 0, testLoss: 0, testAccuracy: 0.5, uncertainty: [], hasEmbedding: false });

it('an epoch published while NATS is down is stored once it is back (retried under its message id, not dropped)', async () => {
  const storeDir = await mkdtemp(join(tmpdir(), 'conjugate-run-events-'));
  let nats = await startNatsServer({ storeDir });
  const port = nats.port;
  // Short publish timeout: without the retry the publish below fails for good while the server is away.
  const bus = await connectNatsBus({ url: nats.url, publishTimeoutMs: 200 });
  const events = new RunEvents(bus, silent);
  const runId = 'run-events-retry';
  try {
    events.epoch({ runId, metrics: metrics(0) });
    await events.flush();
    await nats.stop();
    events.epoch({ runId, metrics: metrics(1) });
    events.status({ runId, state: RunState.RUN_STATE_COMPLETED, reason: '', atMs: 1 });
    await sleep(1_000); // several publish timeouts pass with no server
    nats = await startNatsServer({ storeDir, port });
    await events.flush(60_000);

    const stored: string[] = [];
    for await (const { event } of bus.subscribe({ runId, replay: true })) {
      stored.push(event.event?.$case === 'epoch' ? `epoch ${event.event.value.metrics!.epoch}` : `status ${event.event?.$case === 'status' ? RunState[event.event.value.state] : ''}`);
      if (event.event?.$case === 'status') break;
    }
    expect(stored).toEqual(['epoch 0', 'epoch 1', 'status RUN_STATE_COMPLETED']);
  } finally {
    await bus.close();
    await nats.stop();
    await rm(storeDir, { recursive: true, force: true });
  }
});
