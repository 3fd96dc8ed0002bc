import type { AttackSpec, EmbeddingSnapshot } from '@conjugate/proto';
import { float32Tensor, int32Tensor } from './proto-arrays';
import { boundsOf, regionGrid } from './regions';
import { tsne2d, type TsneOptions } from './tsne';

export interface SnapshotInput {
  epoch: number;
  /** Feature vectors z = g(x) of the clean test points, one row each. */
  features: number[][];
  /** True labels of those points. */
  labels: number[];
  /** The network's softmax on each clean point. */
  probabilities: number[][];
  /** The same points after the attack (feature vectors g(x_adv)) and the network's softmax on them. */
  adversarialFeatures: number[][];
  adversarialProbabilities: number[][];
  attack?: AttackSpec;
  /** Cells per side of the region grid (default 64). */
  gridSize?: number;
  tsne?: TsneOptions;
}

const argmax = (row: number[]) => row.reduce((best, value, i) => (value > row[best] ? i : best), 0);

/**
 * A Figure 1 snapshot. Clean and adversarial feature vectors are embedded jointly by one t-SNE, so the
 * attacked points sit in the same map as the clean ones (t-SNE has no out-of-sample transform); the class
 * regions are interpolated from the network's softmax on all embedded points (see regionGrid). Stops when
 * `input.tsne.signal` aborts (see tsne2d).
 */
export async function embeddingSnapshot(input: SnapshotInput): Promise<EmbeddingSnapshot> {
  const count = input.features.length;
  if (input.labels.length !== count || input.probabilities.length !== count) {
    throw new Error(`embeddingSnapshot: ${count} feature rows but ${input.labels.length} labels and ${input.probabilities.length} probability rows`);
  }
  if (input.adversarialFeatures.length !== count || input.adversarialProbabilities.length !== count) {
    throw new Error(`embeddingSnapshot: ${count} clean points but ${input.adversarialFeatures.length} adversarial feature rows and ${input.adversarialProbabilities.length} probability rows`);
  }
  const joint = await tsne2d([...input.features, ...input.adversarialFeatures], input.tsne);
  const clean = joint.slice(0, count);
  const adversarial = joint.slice(count);
  const allProbabilities = [...input.probabilities, ...input.adversarialProbabilities];
  const gridSize = input.gridSize ?? 64;
  const bounds = boundsOf(joint);
  const grid = regionGrid(joint, allProbabilities, gridSize, bounds);
  const predictions = input.probabilities.map(argmax);
  return {
    epoch: input.epoch,
    coordinates: float32Tensor(clean.flat(), [count, 2]),
    labels: int32Tensor(input.labels, [count]),
    predictions: int32Tensor(predictions, [count]),
    confidence: float32Tensor(input.probabilities.map((row, i) => row[predictions[i]]), [count]),
    adversarialCoordinates: float32Tensor(adversarial.flat(), [count, 2]),
    adversarialPredictions: int32Tensor(input.adversarialProbabilities.map(argmax), [count]),
    regionClasses: int32Tensor(grid.classes, [gridSize, gridSize]),
    regionConfidence: float32Tensor(grid.confidence, [gridSize, gridSize]),
    bounds: [...bounds],
    attack: input.attack,
  };
}
