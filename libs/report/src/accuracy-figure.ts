import { scaleLinear } from 'd3-scale';
import { line } from 'd3-shape';
import type { EpochRow } from './epoch-rows';
import { axes, missingPanel, plotArea, svgDocument, text } from './svg';

const SERIES = [
  { column: 'test_accuracy', label: 'test (clean)', color: '#1f77b4', dash: '' },
  { column: 'robust_pixel_accuracy', label: 'robust, PGD in pixel space', color: '#d62728', dash: '6 3' },
  { column: 'robust_feature_accuracy', label: 'robust, PGD in feature space', color: '#2ca02c', dash: '2 3' },
];

/** Figure 2 (top): test accuracy and robust accuracy in pixel and feature space, per epoch. */
export function accuracyFigure(rows: EpochRow[], title: string): string {
  const width = 800;
  const height = 420;
  const panel = { left: 0, top: 0, width: 520, height };
  if (rows.length === 0) return svgDocument(width, height, missingPanel(panel, title, 'the run has no finished epoch yet'));
  const area = plotArea(panel);
  const epochs = rows.map((r) => r.epoch);
  const x = scaleLinear().domain([Math.min(...epochs), Math.max(Math.max(...epochs), Math.min(...epochs) + 1)]).range([area.left, area.left + area.width]);
  const y = scaleLinear().domain([0, 1]).range([area.top + area.height, area.top]);
  const parts = [axes(panel, x, y, { title, x: 'epoch', y: 'accuracy' }, 5, true)];
  SERIES.forEach((series, i) => {
    const points = rows.map((r) => [r.epoch, r.values[series.column]] as [number, number | null]);
    const path = line<[number, number | null]>().defined((p) => p[1] !== null).x((p) => x(p[0])).y((p) => y(p[1] ?? 0))(points);
    if (path) parts.push(`<path d="${path}" fill="none" stroke="${series.color}" stroke-width="2" stroke-dasharray="${series.dash}"/>`);
    for (const [epoch, value] of points) {
      if (value !== null) parts.push(`<circle cx="${x(epoch)}" cy="${y(value)}" r="3" fill="${series.color}"/>`);
    }
    const legendY = 50 + i * 40;
    parts.push(`<line x1="530" x2="560" y1="${legendY}" y2="${legendY}" stroke="${series.color}" stroke-width="2" stroke-dasharray="${series.dash}"/>`,
      text(566, legendY + 4, series.label, { size: 11 }));
    const missing = rows.filter((r) => r.values[series.column] === null);
    if (missing.length > 0) {
      const reason = missing.map((r) => r.missing[series.column]).find(Boolean) ?? 'not measured';
      parts.push(text(566, legendY + 18, `missing at epoch ${missing.map((r) => r.epoch).join(', ')}`, { size: 9, fill: '#a00' }),
        text(566, legendY + 29, reason.slice(0, 34), { size: 9, fill: '#a00' }));
    }
  });
  return svgDocument(width, height, parts.join(''));
}
