import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmbeddingSnapshot, Run } from '@conjugate/proto';
import { accuracyFigure } from './accuracy-figure';
import { figure1 } from './embedding-figure';
import { epochRows } from './epoch-rows';
import { epochWithMaps, heatmapFigure } from './heatmap-figure';
import { svgToPng } from './png';
import { metricsCsv, metricsJson, type SoftwareVersion } from './tables';
import { tradeoffFigure } from './tradeoff-figure';

export interface ReportOptions {
  /** Class whose region is drawn over training (paper: digit 8). */
  regionClass?: number;
  classNames?: string[];
  /** Recorded in metrics.json. */
  software?: SoftwareVersion;
}

export interface ReportFile { path: string; bytes: number }

/** The report's figures by file stem; Figure 1's parts are drawn together (the combined figure needs all four). */
export const FIGURE_STEMS = ['figure1', 'figure1-a', 'figure1-b', 'figure1-c', 'figure1-d', 'figure2-a', 'figure2-b', 'heatmaps'] as const;
export type FigureStem = (typeof FIGURE_STEMS)[number];

const FIGURE1_STEMS = new Set<string>(FIGURE_STEMS.filter((stem) => stem.startsWith('figure1')));

/** The figures of a run named in `stems` (default: all), as SVG text by file stem: only those are drawn. */
export function reportFigures(run: Run, snapshots: EmbeddingSnapshot[], options: ReportOptions = {}, stems: readonly FigureStem[] = FIGURE_STEMS): Record<string, string> {
  const wanted = new Set<string>(stems);
  const rows = epochRows(run);
  const name = `${run.config?.name || run.id} (${run.config?.dataset ?? '?'}, ${run.config?.model?.architecture ?? '?'})`;
  const figures: Record<string, string> = {};
  if ([...wanted].some((stem) => FIGURE1_STEMS.has(stem))) {
    const drawn = figure1(snapshots, `t-SNE of feature vectors — ${name}`, options.regionClass ?? 8, options.classNames);
    for (const [stem, svg] of Object.entries(drawn)) if (wanted.has(stem)) figures[stem] = svg;
  }
  // Figure 2: (A) test and robust accuracy, (B) the Δx–Δp trade-off, per epoch.
  if (wanted.has('figure2-a')) figures['figure2-a'] = accuracyFigure(rows, `A · Accuracy per epoch — ${name}`);
  if (wanted.has('figure2-b')) figures['figure2-b'] = tradeoffFigure(rows, `B · Δx against Δp per epoch — ${name}`);
  if (wanted.has('heatmaps')) {
    const mapsEpoch = epochWithMaps(run.epochs);
    figures.heatmaps = heatmapFigure(mapsEpoch, `Per-pixel Δx and Δp${mapsEpoch ? ` at epoch ${mapsEpoch.epoch}` : ''} — ${name}`);
  }
  return figures;
}

/** Writes the figures (SVG and PNG), metrics.csv and metrics.json into `outDir`; returns what it wrote. */
export async function writeReport(run: Run, snapshots: EmbeddingSnapshot[], outDir: string, options: ReportOptions = {}): Promise<ReportFile[]> {
  await mkdir(outDir, { recursive: true });
  const files: Array<[string, string | Buffer]> = [];
  for (const [stem, svg] of Object.entries(reportFigures(run, snapshots, options))) {
    files.push([`${stem}.svg`, svg], [`${stem}.png`, svgToPng(svg)]);
  }
  files.push(['metrics.csv', metricsCsv(run)], ['metrics.json', metricsJson(run, options.software)]);
  const written: ReportFile[] = [];
  for (const [file, content] of files) {
    const path = join(outDir, file);
    await writeFile(path, content);
    written.push({ path, bytes: Buffer.byteLength(content) });
  }
  return written;
}
