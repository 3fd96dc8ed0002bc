import { setImmediate } from 'node:timers/promises';
import { gaussianClusters } from './test-clusters';
import { tsne2d } from './tsne';

const centroid = (points: number[][]) => [0, 1].map((axis) => points.reduce((sum, p) => sum + p[axis], 0) / points.length);

describe('tsne2d', () => {
  it('keeps separated clusters apart: every point is nearer its own cluster centre than any other', async () => {
    const { rows, labels } = gaussianClusters(25, 3, 20);
    const map = await tsne2d(rows, { iterations: 300, seed: 3 });
    expect(map).toHaveLength(rows.length);
    const centres = [0, 1, 2].map((c) => centroid(map.filter((_, i) => labels[i] === c)));
    const nearest = map.map((p) => centres.map((c) => Math.hypot(p[0] - c[0], p[1] - c[1])).reduce((best, d, i, all) => (d < all[best] ? i : best), 0));
    expect(nearest).toEqual(labels);
  });

  it('yields to the event loop between iterations and stops once its signal aborts', async () => {
    const { rows } = gaussianClusters(25, 3, 20);
    const controller = new AbortController();
    let ticks = 0;
    // Counts the event-loop turns t-SNE lets through, and aborts after a few of them.
    const ticker = (async () => {
      while (!controller.signal.aborted) {
        await setImmediate();
        if (++ticks === 3) controller.abort(new Error('stopped by the test'));
      }
    })();
    await expect(tsne2d(rows, { iterations: 1_000_000, seed: 3, signal: controller.signal })).rejects.toThrow('stopped by the test');
    await ticker;
    expect(ticks).toBe(3);
  });

  it('refuses fewer than 4 points', async () => {
    await expect(tsne2d([[0], [1], [2]])).rejects.toThrow('at least 4 points');
  });
});
