import { tensorValues } from '@conjugate/embedding';
import { Estimator, Space, type EpochMetrics, type NamedTensor } from '@conjugate/proto';
import { interpolateInferno } from 'd3-scale-chromatic';
import { findUncertainty } from './epoch-rows';
import { missingPanel, svgDocument, text, type Panel } from './svg';

/** Per-pixel maps ("dx", "dp") of a pixel-space estimate, averaged over colour channels: [H][W]. */
function pixelMap(maps: NamedTensor[], name: string): number[][] | undefined {
  const map = maps.find((m) => m.name === name)?.tensor;
  if (!map || map.shape.length !== 3) return undefined;
  const [height, width, channels] = map.shape;
  const values = tensorValues(map);
  return Array.from({ length: height }, (_, row) => Array.from({ length: width }, (_, col) => {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += values[(row * width + col) * channels + c];
    return sum / channels;
  }));
}

function heatmapPanel(panel: Panel, map: number[][], title: string): string {
  const flat = map.flat();
  const low = Math.min(...flat);
  const high = Math.max(...flat);
  const side = Math.min(panel.width - 20, panel.height - 60);
  const cell = side / Math.max(map.length, map[0].length);
  const left = panel.left + (panel.width - cell * map[0].length) / 2;
  const top = panel.top + 30;
  const parts = [text(panel.left + panel.width / 2, panel.top + 18, title, { size: 12, anchor: 'middle', weight: 'bold' })];
  map.forEach((row, r) => row.forEach((value, c) => {
    const t = high > low ? (value - low) / (high - low) : 0.5;
    parts.push(`<rect x="${(left + c * cell).toFixed(2)}" y="${(top + r * cell).toFixed(2)}" width="${cell.toFixed(2)}" height="${cell.toFixed(2)}" fill="${interpolateInferno(t)}" shape-rendering="crispEdges"/>`);
  }));
  parts.push(text(panel.left + panel.width / 2, top + side + 16, `min ${low.toPrecision(3)}   max ${high.toPrecision(3)}`, { size: 10, anchor: 'middle' }));
  return parts.join('');
}

/** Per-pixel Δx and Δp of both estimators at one epoch (colour: inferno, each panel on its own range). */
export function heatmapFigure(metrics: EpochMetrics | undefined, title: string): string {
  const size = 300;
  const parts = [text(size, 20, title, { size: 15, anchor: 'middle', weight: 'bold' })];
  const estimators = [[Estimator.ESTIMATOR_ENSEMBLE, 'ensemble'], [Estimator.ESTIMATOR_PACKET, 'packet']] as const;
  estimators.forEach(([estimator, name], row) => {
    const measurement = metrics ? findUncertainty(metrics, estimator, Space.SPACE_PIXEL) : undefined;
    const result = measurement?.result?.result;
    const maps = result ? result.value.maps : [];
    (['dx', 'dp'] as const).forEach((quantity, col) => {
      const panel = { left: col * size, top: 30 + row * size, width: size, height: size };
      const label = `${name}, pixel: ${quantity === 'dx' ? 'Δx' : 'Δp'} per pixel`;
      const map = pixelMap(maps, quantity);
      if (map) parts.push(heatmapPanel(panel, map, label));
      else parts.push(missingPanel(panel, label, measurement?.missingReason || (metrics ? `no "${quantity}" map in the ${name} pixel-space result` : 'no epoch has been measured')));
    });
  });
  return svgDocument(size * 2, size * 2 + 40, parts.join(''));
}

/** The latest epoch that has any pixel-space map, or the latest epoch. */
export function epochWithMaps(epochs: EpochMetrics[]): EpochMetrics | undefined {
  const sorted = [...epochs].sort((a, b) => b.epoch - a.epoch);
  return sorted.find((m) => m.uncertainty.some((u) => u.space === Space.SPACE_PIXEL && (u.result?.result?.value.maps.length ?? 0) > 0)) ?? sorted[0];
}
