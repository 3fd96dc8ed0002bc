import type { ScaleContinuousNumeric } from 'd3-scale';

/** Small SVG string builders: figures are plain SVG text (no DOM), so they render the same in Node and resvg. */
export const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

export function svgDocument(width: number, height: number, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">` +
    `<rect width="${width}" height="${height}" fill="white"/>${body}</svg>\n`;
}

export function text(x: number, y: number, content: string, options: { size?: number; anchor?: 'start' | 'middle' | 'end'; weight?: string; fill?: string; rotate?: number } = {}): string {
  const transform = options.rotate ? ` transform="rotate(${options.rotate} ${x} ${y})"` : '';
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${options.size ?? 12}" text-anchor="${options.anchor ?? 'start'}"` +
    ` font-weight="${options.weight ?? 'normal'}" fill="${options.fill ?? '#222'}"${transform}>${escapeXml(content)}</text>`;
}

/** A rectangle of the figure holding one plot: where it is and its outer size. */
export interface Panel { left: number; top: number; width: number; height: number }

/** Inner plotting area of a panel after room for the title and axes. */
export function plotArea(panel: Panel): Panel {
  return { left: panel.left + 62, top: panel.top + 30, width: panel.width - 80, height: panel.height - 78 };
}

/** Frame, ticks, axis labels and title of a plot whose scales map data into plotArea(panel). */
export function axes(panel: Panel, x: ScaleContinuousNumeric<number, number>, y: ScaleContinuousNumeric<number, number>,
  labels: { title: string; x: string; y: string }, ticks = 5, integerX = false): string {
  const area = plotArea(panel);
  const bottom = area.top + area.height;
  const parts = [`<rect x="${area.left}" y="${area.top}" width="${area.width}" height="${area.height}" fill="none" stroke="#888"/>`];
  const xFormat = x.tickFormat(ticks, "~g");
  for (const tick of x.ticks(ticks).filter((t) => !integerX || Number.isInteger(t))) {
    const px = x(tick);
    parts.push(`<line x1="${px}" x2="${px}" y1="${bottom}" y2="${bottom + 4}" stroke="#888"/>`, text(px, bottom + 16, xFormat(tick), { size: 10, anchor: 'middle' }));
  }
  const yFormat = y.tickFormat(ticks, "~g");
  for (const tick of y.ticks(ticks)) {
    const py = y(tick);
    parts.push(`<line x1="${area.left - 4}" x2="${area.left}" y1="${py}" y2="${py}" stroke="#888"/>`, text(area.left - 6, py + 3, yFormat(tick), { size: 10, anchor: 'end' }));
  }
  parts.push(
    text(area.left + area.width / 2, panel.top + 18, labels.title, { size: 13, anchor: 'middle', weight: 'bold' }),
    text(area.left + area.width / 2, bottom + 34, labels.x, { size: 11, anchor: 'middle' }),
    text(panel.left + 14, area.top + area.height / 2, labels.y, { size: 11, anchor: 'middle', rotate: -90 }),
  );
  return parts.join('');
}

/** A panel that says a measurement is missing and why, instead of a plot with invented numbers. */
export function missingPanel(panel: Panel, title: string, reason: string): string {
  const area = plotArea(panel);
  return `<rect x="${area.left}" y="${area.top}" width="${area.width}" height="${area.height}" fill="#f6f6f6" stroke="#bbb" stroke-dasharray="4 3"/>` +
    text(area.left + area.width / 2, panel.top + 18, title, { size: 13, anchor: 'middle', weight: 'bold' }) +
    text(area.left + area.width / 2, area.top + area.height / 2, 'not measured', { size: 13, anchor: 'middle', fill: '#a00' }) +
    wrap(reason, 48).map((line, i) => text(area.left + area.width / 2, area.top + area.height / 2 + 18 + 14 * i, line, { size: 10, anchor: 'middle', fill: '#555' })).join('');
}

/** Word-wrap for the few long strings (missing reasons) a figure prints. */
export function wrap(content: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of content.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) { lines.push(line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.slice(0, 6);
}
