// The feature-space map of one epoch (paper Figure 1): cells shaded by the network's predicted class
// (stronger where it is confident), clean test points as circles in their true class's colour, and the
// same points after the attack as crosses in the colour of what the network then predicts.
import { schemeTableau10 } from 'd3-scale-chromatic';
import type { EmbeddingView } from '../view/events';
import { cssVar } from './dom';

const classColour = (label: number) => schemeTableau10[((label % 10) + 10) % 10];

export function drawEmbedding(canvas: HTMLCanvasElement, view: EmbeddingView, legend: HTMLElement): void {
  const context = canvas.getContext('2d');
  if (!context) return;
  const { width, height } = canvas;
  const [xMin, xMax, yMin, yMax] = view.bounds.length === 4 ? view.bounds : extent(view);
  const toX = (x: number) => ((x - xMin) / (xMax - xMin || 1)) * width;
  const toY = (y: number) => height - ((y - yMin) / (yMax - yMin || 1)) * height;

  context.clearRect(0, 0, width, height);
  context.fillStyle = cssVar('--panel');
  context.fillRect(0, 0, width, height);
  if (view.regions) {
    const { size, classes, confidence } = view.regions;
    // Cell edges on whole pixels, shared by neighbours: no overlaps (which would show as grid lines).
    const edgeX = (col: number) => Math.round((col * width) / size);
    const edgeY = (row: number) => height - Math.round((row * height) / size); // row 0 is y_min: the bottom
    for (let row = 0; row < size; row++) {
      for (let col = 0; col < size; col++) {
        const i = row * size + col;
        context.globalAlpha = 0.12 + 0.33 * (confidence[i] ?? 0);
        context.fillStyle = classColour(classes[i]);
        context.fillRect(edgeX(col), edgeY(row + 1), edgeX(col + 1) - edgeX(col), edgeY(row) - edgeY(row + 1));
      }
    }
    context.globalAlpha = 1;
  }
  context.lineWidth = 1.5;
  view.clean.x.forEach((x, i) => {
    context.beginPath();
    context.arc(toX(x), toY(view.clean.y[i]), 3.2, 0, 2 * Math.PI);
    context.fillStyle = classColour(view.clean.labels[i]);
    context.fill();
    context.strokeStyle = cssVar('--fg');
    context.stroke();
  });
  view.adversarial.x.forEach((x, i) => {
    const [cx, cy] = [toX(x), toY(view.adversarial.y[i])];
    context.strokeStyle = classColour(view.adversarial.predictions[i]);
    context.beginPath();
    context.moveTo(cx - 3.5, cy - 3.5);
    context.lineTo(cx + 3.5, cy + 3.5);
    context.moveTo(cx + 3.5, cy - 3.5);
    context.lineTo(cx - 3.5, cy + 3.5);
    context.stroke();
  });
  const flipped = view.adversarial.predictions.filter((p, i) => p !== view.clean.predictions[i]).length;
  legend.textContent =
    `epoch ${view.epoch}: ${view.clean.x.length} test points; the attack changed the prediction of ` +
    `${flipped} of ${view.adversarial.x.length}. Colours are classes 0–9.`;
}

function extent(view: EmbeddingView): number[] {
  const xs = [...view.clean.x, ...view.adversarial.x];
  const ys = [...view.clean.y, ...view.adversarial.y];
  return [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
}
