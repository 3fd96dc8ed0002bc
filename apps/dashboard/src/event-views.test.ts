import { RunState } from '@conjugate/proto';
import { toDashboardEvent } from './event-views';
import { sampleEmbedding, sampleEpoch, sampleStatus } from './sample-events';

describe('toDashboardEvent', () => {
  it('turns a status event into the run name and settings the list shows', () => {
    const view = toDashboardEvent({ seq: 4, event: { event: { $case: 'status', value: sampleStatus('r1', 'my <run>', RunState.RUN_STATE_FAILED, 123) } } });
    expect(view).toMatchObject({ kind: 'status', seq: 4, runId: 'r1', state: 'failed', name: 'my <run>', dataset: 'mnist', architecture: 'cnn3', epochsPlanned: 10, atMs: 123 });
  });

  it('keeps measured values, says why a missing one is missing, and decodes maps with their shape', () => {
    const view = toDashboardEvent({ seq: 5, event: { event: { $case: 'epoch', value: sampleEpoch('r1', 0) } } });
    if (view.kind !== 'epoch') throw new Error(`got ${view.kind}`);
    const { metrics } = view;
    expect(metrics.robustPixel.value).toBeCloseTo(0.05);
    expect(metrics.robustFeature).toEqual({ value: null, missingReason: 'attack-service unreachable' });
    expect(metrics.uncertainty.map((u) => `${u.estimator}/${u.space}`)).toEqual(['ensemble/pixel', 'packet/pixel', 'ensemble/feature', 'packet/feature']);
    const pixel = metrics.uncertainty[0];
    expect(pixel.dx.value).toBeCloseTo(0.2);
    expect(pixel.maps.map((m) => [m.name, m.shape, m.values.length])).toEqual([
      ['dx', [28, 28, 1], 784],
      ['dp', [28, 28, 1], 784],
      ['product', [28, 28, 1], 784],
    ]);
    expect(metrics.uncertainty[2].maps[0].shape).toEqual([576]);
  });

  it('splits t-SNE coordinates into x and y and keeps the region grid', () => {
    const view = toDashboardEvent({ seq: 6, event: { event: { $case: 'embedding', value: sampleEmbedding('r1', 1, 3) } } });
    if (view.kind !== 'embedding') throw new Error(`got ${view.kind}`);
    const { embedding } = view;
    expect(embedding.clean.x).toHaveLength(30);
    expect(embedding.clean.y).toHaveLength(30);
    expect(embedding.adversarial.predictions).toHaveLength(30);
    expect(embedding.regions?.size).toBe(24);
    expect(embedding.bounds).toEqual([-40, 40, -40, 40]);
  });

  it('refuses an epoch event without metrics, naming the run', () => {
    expect(() => toDashboardEvent({ seq: 1, event: { event: { $case: 'epoch', value: { runId: 'r9' } } } })).toThrow('epoch event of run r9 has no metrics');
  });
});
