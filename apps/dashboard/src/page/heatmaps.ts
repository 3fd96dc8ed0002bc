// Per-dimension Δx, Δp and Δx·Δp maps of one epoch, one tile per (estimator, space, map), viridis-shaded.
// Pixel maps [H, W, C] are averaged over channels; feature maps [D] are laid out row by row in a square.
import { interpolateViridis } from 'd3-scale-chromatic';
import type { EpochView, MapView } from '../view/events';
import { el } from './dom';

const SHOWN_MAPS = ['dx', 'dp', 'product'];
const LABELS: Record<string, string> = { dx: 'Δx', dp: 'Δp', product: 'Δx·Δp' };
const PALETTE = Array.from({ length: 256 }, (_, i) => rgb(interpolateViridis(i / 255)));

/** Renders the tiles; returns how many were drawn. */
export function renderHeatmaps(container: HTMLElement, epoch: EpochView): number {
  const tiles = epoch.uncertainty.flatMap((u) =>
    u.maps
      .filter((map) => SHOWN_MAPS.includes(map.name))
      .map((map) => tile(`${u.estimator} · ${u.space} · ${LABELS[map.name] ?? map.name}`, map)),
  );
  container.replaceChildren(...tiles);
  return tiles.length;
}

function tile(title: string, map: MapView): HTMLElement {
  const { width, height, cells } = layout(map);
  const finite = cells.filter(Number.isFinite);
  const low = finite.length ? Math.min(...finite) : 0;
  const high = finite.length ? Math.max(...finite) : 1;
  const canvas = el('canvas', { attrs: { width: String(width), height: String(height), role: 'img', 'aria-label': title } });
  const context = canvas.getContext('2d');
  if (context) {
    const image = context.createImageData(width, height);
    cells.forEach((value, i) => {
      const [r, g, b] = Number.isFinite(value)
        ? PALETTE[Math.round(((value - low) / (high - low || 1)) * 255)]
        : [128, 128, 128];
      image.data.set([r, g, b, 255], i * 4);
    });
    context.putImageData(image, 0, 0);
  }
  return el(
    'figure',
    { className: 'heatmap', attrs: { 'data-map': map.name } },
    el('figcaption', { text: title }),
    canvas,
    el('span', { className: 'scale', text: `${low.toPrecision(3)} … ${high.toPrecision(3)}` }),
  );
}

function layout(map: MapView): { width: number; height: number; cells: number[] } {
  if (map.shape.length >= 2) {
    const [height, width] = map.shape;
    const channels = map.values.length / (height * width) || 1;
    const cells = Array.from({ length: height * width }, (_, i) => {
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += map.values[i * channels + c];
      return sum / channels;
    });
    return { width, height, cells };
  }
  const width = Math.ceil(Math.sqrt(map.values.length)) || 1;
  const height = Math.ceil(map.values.length / width) || 1;
  return { width, height, cells: Array.from({ length: width * height }, (_, i) => map.values[i] ?? NaN) };
}

function rgb(colour: string): [number, number, number] {
  if (colour.startsWith('#')) {
    const n = parseInt(colour.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  const [r, g, b] = colour.match(/\d+/g)?.map(Number) ?? [0, 0, 0];
  return [r, g, b];
}
