import { interpolateViridis } from 'd3-scale-chromatic';
import { scaleLog } from 'd3-scale';
import { line } from 'd3-shape';
import { UNCERTAINTY_SERIES, type EpochRow } from './epoch-rows';
import { axes, missingPanel, plotArea, svgDocument, text, type Panel } from './svg';

/** Log-axis domain around the values, widened so the points are not on the frame. */
function logDomain(values: number[]): [number, number] {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return [low / 1.5, high * 1.5];
}

function tradeoffPanel(panel: Panel, rows: EpochRow[], key: string, title: string): string {
  const points = rows
    .map((r) => ({ epoch: r.epoch, dx: r.values[`${key}_dx`], dp: r.values[`${key}_dp`] }))
    .filter((p): p is { epoch: number; dx: number; dp: number } => p.dx !== null && p.dp !== null && p.dx > 0 && p.dp > 0);
  if (points.length === 0) {
    const reason = rows.map((r) => r.missing[key] ?? r.missing[`${key}_dx`] ?? r.missing[`${key}_dp`]).find(Boolean) ?? 'no epoch has this measurement';
    return missingPanel(panel, title, reason);
  }
  const area = plotArea(panel);
  // The bound's curve Δp = 1/(2Δx) must be visible: include the point of it nearest the data.
  const dxs = points.map((p) => p.dx);
  const dps = points.map((p) => p.dp);
  const x = scaleLog().domain(logDomain([...dxs, ...dps.map((dp) => 0.5 / dp)])).range([area.left, area.left + area.width]);
  const y = scaleLog().domain(logDomain([...dps, ...dxs.map((dx) => 0.5 / dx)])).range([area.top + area.height, area.top]);
  const parts = [axes(panel, x, y, { title, x: 'mean Δx', y: 'mean Δp' }, 4)];
  const [x0, x1] = x.domain();
  const curve = Array.from({ length: 60 }, (_, i) => x0 * Math.pow(x1 / x0, i / 59)).map((dx) => [dx, 0.5 / dx] as [number, number])
    .filter(([, dp]) => dp >= y.domain()[0] && dp <= y.domain()[1]);
  const curvePath = line<[number, number]>().x((p) => x(p[0])).y((p) => y(p[1]))(curve);
  if (curvePath) parts.push(`<path d="${curvePath}" fill="none" stroke="#555" stroke-dasharray="5 4"/>`);
  parts.push(text(area.left + area.width - 4, area.top + 14, 'dashed: Δx·Δp = ½', { size: 10, anchor: 'end', fill: '#555' }));
  const trail = line<{ dx: number; dp: number }>().x((p) => x(p.dx)).y((p) => y(p.dp))(points);
  if (trail) parts.push(`<path d="${trail}" fill="none" stroke="#bbb"/>`);
  const lastEpoch = Math.max(...points.map((p) => p.epoch), 1);
  for (const p of points) {
    parts.push(`<circle cx="${x(p.dx)}" cy="${y(p.dp)}" r="4" fill="${interpolateViridis(p.epoch / lastEpoch)}" stroke="#333" stroke-width="0.5"><title>epoch ${p.epoch}</title></circle>`);
  }
  const first = points[0];
  const last = points[points.length - 1];
  parts.push(text(x(first.dx) + 6, y(first.dp) - 6, `epoch ${first.epoch}`, { size: 9 }));
  if (last !== first) parts.push(text(x(last.dx) + 6, y(last.dp) - 6, `epoch ${last.epoch}`, { size: 9 }));
  return parts.join('');
}

/** Figure 2 (bottom): Δx against Δp per epoch (colour = epoch), for each estimator in each space, with Δx·Δp = ½. */
export function tradeoffFigure(rows: EpochRow[], title: string): string {
  const size = 380;
  const panels = UNCERTAINTY_SERIES.map(({ key, label }, i) =>
    tradeoffPanel({ left: (i % 2) * size, top: 30 + Math.floor(i / 2) * size, width: size, height: size }, rows, key, label));
  return svgDocument(2 * size, 2 * size + 30, text(size, 20, title, { size: 15, anchor: 'middle', weight: 'bold' }) + panels.join(''));
}
