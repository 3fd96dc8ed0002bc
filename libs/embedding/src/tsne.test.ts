import { gaussianClusters } from './test-clusters';
import { tsne2d } from './tsne';

const centroid = (points: number[][]) => [0, 1].map((axis) => points.reduce((sum, p) => sum + p[axis], 0) / points.length);

describe('tsne2d', () => {
  it('keeps separated clusters apart: every point is nearer its own cluster centre than any other', () => {
    const { rows, labels } = gaussianClusters(25, 3, 20);
    const map = tsne2d(rows, { iterations: 300, seed: 3 });
    expect(map).toHaveLength(rows.length);
    const centres = [0, 1, 2].map((c) => centroid(map.filter((_, i) => labels[i] === c)));
    const nearest = map.map((p) => centres.map((c) => Math.hypot(p[0] - c[0], p[1] - c[1])).reduce((best, d, i, all) => (d < all[best] ? i : best), 0));
    expect(nearest).toEqual(labels);
  });

  it('refuses fewer than 4 points', () => {
    expect(() => tsne2d([[0], [1], [2]])).toThrow('at least 4 points');
  });
});
