import { connectNatsBus, startNatsServer } from '@conjugate/bus';
import { EmbeddingSnapshot, RunConfig, RunState } from '@conjugate/proto';
import { createLogger } from '@conjugate/service-kit';
import { RunEvents } from './run-events';
import { RunManager } from './run-manager';
import { RunStore } from './run-store';
import { tempDir } from './test-support';

const silent = createLogger('recover-test', { level: 'silent' });

it('a run found unfinished at start-up has its last epoch and that epoch’s embedding snapshot published again (a crash may have come before they reached NATS), stored once however often', async () => {
  const runsDir = await tempDir('conjugate-recover-');
  const nats = await startNatsServer();
  const bus = await connectNatsBus({ url: nats.url });
  try {
    const store = new RunStore(runsDir.path);
    await store.init();
    const runId = 'recover-me';
    const metrics = { epoch: 0, trainLoss: 0, trainAccuracy: 0, testLoss: 1, testAccuracy: 0.1, uncertainty: [], hasEmbedding: true };
    await store.save({ id: runId, config: RunConfig.fromPartial({ name: 'r', epochs: 2 }), state: RunState.RUN_STATE_RUNNING, reason: '', createdAtMs: 1, updatedAtMs: 1, epochsDone: 0, epochs: [metrics] });
    await store.saveSnapshot(runId, EmbeddingSnapshot.fromPartial({ epoch: 0 }));

    // Two start-ups that both stop before training (as if each was killed at once).
    for (let i = 0; i < 2; i++) {
      const events = new RunEvents(bus, silent);
      const manager = new RunManager({ store, events, logger: silent, maxConcurrentRuns: 1, evaluationBatchSize: 250, progressIntervalMs: 500 });
      await manager.recover();
      await events.flush();
    }

    // A marker after them: everything before it in the stream is what the two start-ups stored.
    await bus.publishStatus({ runId, state: RunState.RUN_STATE_STOPPED, reason: 'marker', atMs: 2 });
    const stored: string[] = [];
    for await (const { event } of bus.subscribe({ runId, replay: true })) {
      if (event.event?.$case === 'epoch') stored.push(`epoch ${event.event.value.metrics!.epoch}`);
      if (event.event?.$case === 'embedding') stored.push(`embedding ${event.event.value.snapshot!.epoch}`);
      if (event.event?.$case === 'status' && event.event.value.reason === 'marker') break;
    }
    expect(stored).toEqual(['embedding 0', 'epoch 0']);
  } finally {
    await bus.close();
    await nats.stop();
    await runsDir.remove();
  }
});
