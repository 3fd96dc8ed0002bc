import { tensorValues } from '@conjugate/embedding';
import type { EmbeddingSnapshot } from '@conjugate/proto';
import { schemeTableau10 } from 'd3-scale-chromatic';
import { missingPanel, svgDocument, text, type Panel } from './svg';

const classColor = (label: number) => schemeTableau10[label % 10];

/** Maps a snapshot's coordinates into a square panel. */
function projector(snapshot: EmbeddingSnapshot, panel: Panel) {
  const [xMin, xMax, yMin, yMax] = snapshot.bounds;
  return (x: number, y: number): [number, number] => [
    panel.left + ((x - xMin) / (xMax - xMin)) * panel.width,
    panel.top + panel.height - ((y - yMin) / (yMax - yMin)) * panel.height,
  ];
}

/** Region cells: colour = predicted class (or only `onlyClass`), opacity = confidence. */
function regionCells(snapshot: EmbeddingSnapshot, panel: Panel, onlyClass?: number): string {
  const grid = snapshot.regionClasses?.shape[0] ?? 0;
  const classes = tensorValues(snapshot.regionClasses);
  const confidence = tensorValues(snapshot.regionConfidence);
  const cellWidth = panel.width / grid;
  const cellHeight = panel.height / grid;
  const parts: string[] = [];
  for (let row = 0; row < grid; row++) {
    for (let col = 0; col < grid; col++) {
      const c = classes[row * grid + col];
      if (onlyClass !== undefined && c !== onlyClass) continue;
      const fill = onlyClass !== undefined ? '#08306b' : classColor(c);
      const opacity = onlyClass !== undefined ? confidence[row * grid + col] : 0.15 + 0.45 * confidence[row * grid + col];
      parts.push(`<rect x="${(panel.left + col * cellWidth).toFixed(2)}" y="${(panel.top + panel.height - (row + 1) * cellHeight).toFixed(2)}" width="${cellWidth.toFixed(2)}" height="${cellHeight.toFixed(2)}" fill="${fill}" fill-opacity="${opacity.toFixed(3)}" shape-rendering="crispEdges"/>`);
    }
  }
  return parts.join('');
}

/**
 * Figure 1 (left): the t-SNE map of test points' feature vectors, dots coloured by true label, over class
 * regions shaded by the network's prediction (depth = confidence); crosses: the same points after the attack.
 */
export function embeddingFigure(snapshot: EmbeddingSnapshot | undefined, title: string, classNames: string[] = []): string {
  const width = 760;
  const height = 640;
  if (!snapshot) return svgDocument(width, height, missingPanel({ left: 0, top: 0, width, height }, title, 'no embedding snapshot: set evaluation.embedding_epochs in the run config'));
  const panel = { left: 20, top: 40, width: 560, height: 560 };
  const project = projector(snapshot, panel);
  const clean = tensorValues(snapshot.coordinates);
  const adversarial = tensorValues(snapshot.adversarialCoordinates);
  const labels = tensorValues(snapshot.labels);
  const adversarialPredictions = tensorValues(snapshot.adversarialPredictions);
  const parts = [text(width / 2, 24, `${title} — epoch ${snapshot.epoch}`, { size: 15, anchor: 'middle', weight: 'bold' }), regionCells(snapshot, panel),
    `<rect x="${panel.left}" y="${panel.top}" width="${panel.width}" height="${panel.height}" fill="none" stroke="#888"/>`];
  labels.forEach((label, i) => {
    const [x, y] = project(clean[2 * i], clean[2 * i + 1]);
    parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${classColor(label)}" stroke="#222" stroke-width="0.4"/>`);
  });
  adversarialPredictions.forEach((predicted, i) => {
    const [x, y] = project(adversarial[2 * i], adversarial[2 * i + 1]);
    parts.push(`<path d="M${(x - 3).toFixed(1)},${(y - 3).toFixed(1)}l6,6m0,-6l-6,6" stroke="${classColor(predicted)}" stroke-width="1.6"/>`);
  });
  const classes = Math.max(10, ...labels.map((l) => l + 1));
  for (let c = 0; c < Math.min(classes, 10); c++) {
    parts.push(`<circle cx="600" cy="${60 + c * 20}" r="5" fill="${classColor(c)}"/>`, text(612, 64 + c * 20, classNames[c] ?? String(c), { size: 11 }));
  }
  const attack = snapshot.attack;
  const short = (value: number) => Number(value.toPrecision(3));
  const attackText = attack ? `after PGD ε=${short(attack.epsilon ?? 8 / 255)}, α=${short(attack.stepSize ?? 2 / 255)}, ${attack.steps ?? 4} steps` : 'after the attack';
  parts.push(text(595, 290, '● clean test point (true label)', { size: 10 }), text(595, 306, `✕ ${attackText}`, { size: 10 }),
    text(595, 320, '   (colour: predicted class)', { size: 10 }), text(595, 344, 'shading: predicted class,', { size: 10 }),
    text(595, 358, 'depth = confidence (k-NN of', { size: 10 }), text(595, 372, 'the embedded points\' softmax)', { size: 10 }));
  return svgDocument(width, height, parts.join(''));
}

/** Up to three snapshots nearest the paper's epochs 1, 21, 41 (or spread over those that exist). */
export function chooseRegionEpochs(snapshots: EmbeddingSnapshot[], wanted = [1, 21, 41]): EmbeddingSnapshot[] {
  const sorted = [...snapshots].sort((a, b) => a.epoch - b.epoch);
  const exact = sorted.filter((s) => wanted.includes(s.epoch));
  if (exact.length === Math.min(wanted.length, sorted.length)) return exact;
  if (sorted.length <= 3) return sorted;
  return [sorted[0], sorted[Math.floor((sorted.length - 1) / 2)], sorted[sorted.length - 1]];
}

/** Figure 1 (right): the region the network gives one class, at a few epochs, depth = confidence. */
export function classRegionFigure(snapshots: EmbeddingSnapshot[], classIndex: number, className: string): string {
  const chosen = chooseRegionEpochs(snapshots);
  const size = 300;
  const width = Math.max(1, chosen.length) * (size + 20) + 20;
  const title = `Region of class ${className} over training`;
  if (chosen.length === 0) return svgDocument(width + 300, size + 80, missingPanel({ left: 0, top: 0, width: width + 300, height: size + 80 }, title, 'no embedding snapshot: set evaluation.embedding_epochs in the run config'));
  const parts = [text(width / 2, 22, title, { size: 15, anchor: 'middle', weight: 'bold' })];
  chosen.forEach((snapshot, i) => {
    const panel = { left: 20 + i * (size + 20), top: 50, width: size, height: size };
    const labels = tensorValues(snapshot.labels);
    const clean = tensorValues(snapshot.coordinates);
    const project = projector(snapshot, panel);
    parts.push(text(panel.left + size / 2, 44, `epoch ${snapshot.epoch}`, { size: 12, anchor: 'middle' }), regionCells(snapshot, panel, classIndex),
      `<rect x="${panel.left}" y="${panel.top}" width="${size}" height="${size}" fill="none" stroke="#888"/>`);
    labels.forEach((label, j) => {
      if (label !== classIndex) return;
      const [x, y] = project(clean[2 * j], clean[2 * j + 1]);
      parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="2.5" fill="#f28e2b" stroke="#222" stroke-width="0.3"/>`);
    });
  });
  parts.push(text(20, size + 70, `blue depth: confidence of the network where it predicts ${className}; orange: test points of class ${className}`, { size: 10 }));
  return svgDocument(width, size + 80, parts.join(''));
}
