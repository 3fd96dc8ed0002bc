import { tensorValues } from './proto-arrays';
import { embeddingSnapshot } from './snapshot';
import { gaussianClusters, softmaxRow } from './test-clusters';

describe('embeddingSnapshot', () => {
  it('places attacked points next to the clean points of the class they are pushed into', async () => {
    const { rows, labels } = gaussianClusters(20, 3, 12, 5);
    // The "attack" moves every class-0 point onto a class-1 point (and leaves the others alone).
    const firstOfClass1 = labels.indexOf(1);
    const adversarial = rows.map((row, i) => (labels[i] === 0 ? rows[firstOfClass1 + i].map((v) => v + 0.01) : row));
    const advLabels = labels.map((label) => (label === 0 ? 1 : label));
    const snapshot = await embeddingSnapshot({
      epoch: 3, features: rows, labels, probabilities: labels.map((l) => softmaxRow(l, 3)),
      adversarialFeatures: adversarial, adversarialProbabilities: advLabels.map((l) => softmaxRow(l, 3)),
      gridSize: 16, tsne: { iterations: 300, seed: 1 },
    });
    expect(snapshot.epoch).toBe(3);
    expect(snapshot.coordinates?.shape).toEqual([60, 2]);
    expect(snapshot.regionClasses?.shape).toEqual([16, 16]);
    expect(tensorValues(snapshot.adversarialPredictions).slice(0, 20)).toEqual(new Array(20).fill(1));
    const clean = tensorValues(snapshot.coordinates);
    const moved = tensorValues(snapshot.adversarialCoordinates);
    const nearestCleanLabel = (x: number, y: number) => {
      let best = 0;
      for (let j = 0; j < 60; j++) if (Math.hypot(clean[2 * j] - x, clean[2 * j + 1] - y) < Math.hypot(clean[2 * best] - x, clean[2 * best + 1] - y)) best = j;
      return labels[best];
    };
    for (let i = 0; i < 20; i++) expect(nearestCleanLabel(moved[2 * i], moved[2 * i + 1])).toBe(1);
    // Region at each clean point of class 2 (never attacked) is class 2.
    const [xMin, xMax, yMin, yMax] = snapshot.bounds;
    const regions = tensorValues(snapshot.regionClasses);
    for (let i = 40; i < 60; i++) {
      const col = Math.min(15, Math.floor(((clean[2 * i] - xMin) / (xMax - xMin)) * 16));
      const row = Math.min(15, Math.floor(((clean[2 * i + 1] - yMin) / (yMax - yMin)) * 16));
      expect(regions[row * 16 + col]).toBe(2);
    }
  });

  it('refuses inputs of different lengths, naming them', async () => {
    await expect(embeddingSnapshot({ epoch: 0, features: [[1], [2], [3], [4]], labels: [0], probabilities: [], adversarialFeatures: [], adversarialProbabilities: [] }))
      .rejects.toThrow('4 feature rows but 1 labels');
  });
});
