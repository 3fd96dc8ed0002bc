import { tensorValues } from '@conjugate/embedding';
import type { EmbeddingSnapshot } from '@conjugate/proto';
import { schemeTableau10 } from 'd3-scale-chromatic';
import { missingPanel, svgDocument, text, type Panel } from './svg';

/** Figure 1 of the paper as four panels: (A) class regions and clean points, (B) the attacked points,
 * (C) one class's region over training, (D) the same with the attacked points' predictions. */

const classColor = (label: number) => schemeTableau10[label % 10];
const NO_SNAPSHOT = 'no embedding snapshot: set evaluation.embedding_epochs in the run config';

/** A figure part before it is wrapped in a document: its size and SVG body. */
export interface FigurePart { width: number; height: number; body: string }

const document = (part: FigurePart) => svgDocument(part.width, part.height, part.body);

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

const frame = (panel: Panel) => `<rect x="${panel.left}" y="${panel.top}" width="${panel.width}" height="${panel.height}" fill="none" stroke="#888"/>`;
const dot = ([x, y]: [number, number], fill: string, r = 3) => `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r}" fill="${fill}" stroke="#222" stroke-width="0.4"/>`;
const cross = ([x, y]: [number, number], stroke: string) => `<path d="M${(x - 3).toFixed(1)},${(y - 3).toFixed(1)}l6,6m0,-6l-6,6" stroke="${stroke}" stroke-width="1.6"/>`;

function attackText(snapshot: EmbeddingSnapshot): string {
  const attack = snapshot.attack;
  const short = (value: number) => Number(value.toPrecision(3));
  return attack ? `PGD ε=${short(attack.epsilon ?? 8 / 255)}, α=${short(attack.stepSize ?? 2 / 255)}, ${attack.steps ?? 4} steps` : 'the attack';
}

function legend(left: number, labels: Float32Array | Int32Array | number[], classNames: string[], lines: string[]): string {
  const classes = Math.min(10, Math.max(10, ...Array.from(labels, (l) => l + 1)));
  const parts: string[] = [];
  for (let c = 0; c < classes; c++) parts.push(`<circle cx="${left + 5}" cy="${60 + c * 20}" r="5" fill="${classColor(c)}"/>`, text(left + 17, 64 + c * 20, classNames[c] ?? String(c), { size: 11 }));
  lines.forEach((line, i) => parts.push(text(left, 290 + 15 * i, line, { size: 10 })));
  return parts.join('');
}

/** A square t-SNE map of the whole snapshot with a legend: panels A and B. */
function mapPanel(snapshot: EmbeddingSnapshot | undefined, title: string, classNames: string[], points: (snapshot: EmbeddingSnapshot, panel: Panel) => { body: string; legend: string[] }): FigurePart {
  const width = 800;
  const height = 640;
  if (!snapshot) return { width, height, body: missingPanel({ left: 0, top: 0, width, height }, title, NO_SNAPSHOT) };
  const panel = { left: 20, top: 40, width: 560, height: 560 };
  const drawn = points(snapshot, panel);
  return {
    width, height,
    body: text(width / 2, 24, `${title} — epoch ${snapshot.epoch}`, { size: 15, anchor: 'middle', weight: 'bold' }) + regionCells(snapshot, panel) + frame(panel) +
      drawn.body + legend(595, tensorValues(snapshot.labels), classNames, [...drawn.legend, 'shading: predicted class,', 'depth = confidence (k-NN of', "the embedded points' softmax)"]),
  };
}

/** (A) Class regions of the network, test points coloured by their true label. */
export function figure1A(snapshot: EmbeddingSnapshot | undefined, title: string, classNames: string[] = []): FigurePart {
  return mapPanel(snapshot, `A · ${title}`, classNames, (s, panel) => {
    const project = projector(s, panel);
    const clean = tensorValues(s.coordinates);
    return { body: Array.from(tensorValues(s.labels), (label, i) => dot(project(clean[2 * i], clean[2 * i + 1]), classColor(label))).join(''), legend: ['● test point (colour: true label)'] };
  });
}

/** (B) The same points after the snapshot's attack, placed in the same map, coloured by their new prediction. */
export function figure1B(snapshot: EmbeddingSnapshot | undefined, title: string, classNames: string[] = []): FigurePart {
  return mapPanel(snapshot, `B · ${title}`, classNames, (s, panel) => {
    const project = projector(s, panel);
    const adversarial = tensorValues(s.adversarialCoordinates);
    const predictions = tensorValues(s.adversarialPredictions);
    const labels = tensorValues(s.labels);
    const changed = Array.from(predictions).filter((p, i) => p !== labels[i]).length;
    return {
      body: Array.from(predictions, (predicted, i) => cross(project(adversarial[2 * i], adversarial[2 * i + 1]), classColor(predicted))).join(''),
      legend: ['✕ after', `   ${attackText(s)}`, '   (colour: predicted class)', `   ${changed} of ${predictions.length} now misclassified`],
    };
  });
}

/** Up to three snapshots nearest the paper's epochs 1, 21, 41 (or spread over those that exist). */
export function chooseRegionEpochs(snapshots: EmbeddingSnapshot[], wanted = [1, 21, 41]): EmbeddingSnapshot[] {
  const sorted = [...snapshots].sort((a, b) => a.epoch - b.epoch);
  const exact = sorted.filter((s) => wanted.includes(s.epoch));
  if (exact.length === Math.min(wanted.length, sorted.length)) return exact;
  if (sorted.length <= 3) return sorted;
  return [sorted[0], sorted[Math.floor((sorted.length - 1) / 2)], sorted[sorted.length - 1]];
}

/** One class's region at a few epochs (depth = confidence) with what `points` draws over it: panels C and D. */
function regionRow(snapshots: EmbeddingSnapshot[], title: string, caption: string, classIndex: number, points: (snapshot: EmbeddingSnapshot, panel: Panel) => string): FigurePart {
  const chosen = chooseRegionEpochs(snapshots);
  const size = 300;
  // Room for three maps (the paper's epochs) however many there are, so titles and captions fit.
  const width = Math.max(3, chosen.length) * (size + 20) + 20;
  if (chosen.length === 0) return { width: width + 300, height: size + 80, body: missingPanel({ left: 0, top: 0, width: width + 300, height: size + 80 }, title, NO_SNAPSHOT) };
  const parts = [text(width / 2, 22, title, { size: 15, anchor: 'middle', weight: 'bold' })];
  chosen.forEach((snapshot, i) => {
    const panel = { left: 20 + i * (size + 20), top: 50, width: size, height: size };
    parts.push(text(panel.left + size / 2, 44, `epoch ${snapshot.epoch}`, { size: 12, anchor: 'middle' }), regionCells(snapshot, panel, classIndex), frame(panel), points(snapshot, panel));
  });
  parts.push(text(20, size + 70, caption, { size: 10 }));
  return { width, height: size + 80, body: parts.join('') };
}

/** (C) The region the network gives one class over training, with that class's clean test points. */
export function figure1C(snapshots: EmbeddingSnapshot[], classIndex: number, className: string): FigurePart {
  return regionRow(snapshots, `C · Region of class ${className} over training`,
    `blue depth: confidence of the network where it predicts ${className}; ● test points of class ${className}`, classIndex, (s, panel) => {
      const project = projector(s, panel);
      const clean = tensorValues(s.coordinates);
      return Array.from(tensorValues(s.labels), (label, j) => (label === classIndex ? dot(project(clean[2 * j], clean[2 * j + 1]), '#f28e2b', 2.5) : '')).join('');
    });
}

/** (D) As C, with the attacked points: those of the class and those the attack made the class, coloured by the new prediction. */
export function figure1D(snapshots: EmbeddingSnapshot[], classIndex: number, className: string): FigurePart {
  const attack = snapshots[0] ? attackText(snapshots[0]) : 'the attack';
  return regionRow(snapshots, `D · Region of class ${className} with attacked points`,
    `✕ after ${attack}: orange still predicted ${className}, grey no longer ${className}, red made ${className} by the attack`, classIndex, (s, panel) => {
      const project = projector(s, panel);
      const adversarial = tensorValues(s.adversarialCoordinates);
      const labels = tensorValues(s.labels);
      return Array.from(tensorValues(s.adversarialPredictions), (predicted, j) => {
        if (labels[j] !== classIndex && predicted !== classIndex) return '';
        const colour = labels[j] !== classIndex ? '#d62728' : predicted === classIndex ? '#f28e2b' : '#7f7f7f';
        return cross(project(adversarial[2 * j], adversarial[2 * j + 1]), colour);
      }).join('');
    });
}

/** Parts stacked into one document: A and B side by side, then C, then D. */
export function combineFigure1(a: FigurePart, b: FigurePart, c: FigurePart, d: FigurePart): string {
  const nest = (part: FigurePart, x: number, y: number) => `<svg x="${x}" y="${y}" width="${part.width}" height="${part.height}">${part.body}</svg>`;
  const width = Math.max(a.width + b.width, c.width, d.width);
  const height = Math.max(a.height, b.height) + c.height + d.height;
  return svgDocument(width, height, nest(a, 0, 0) + nest(b, a.width, 0) + nest(c, 0, Math.max(a.height, b.height)) + nest(d, 0, Math.max(a.height, b.height) + c.height));
}

/** Every Figure 1 file by stem: each panel, and the combined figure. */
export function figure1(snapshots: EmbeddingSnapshot[], title: string, classIndex: number, classNames: string[] = []): Record<string, string> {
  const final = [...snapshots].sort((x, y) => y.epoch - x.epoch)[0];
  const className = classNames[classIndex] ?? String(classIndex);
  const parts = { a: figure1A(final, title, classNames), b: figure1B(final, title, classNames), c: figure1C(snapshots, classIndex, className), d: figure1D(snapshots, classIndex, className) };
  return {
    figure1: combineFigure1(parts.a, parts.b, parts.c, parts.d),
    'figure1-a': document(parts.a), 'figure1-b': document(parts.b), 'figure1-c': document(parts.c), 'figure1-d': document(parts.d),
  };
}
