import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmbeddingSnapshot, Run } from '@conjugate/proto';
import { accuracyFigure } from './accuracy-figure';
import { classRegionFigure, embeddingFigure } from './embedding-figure';
import { epochRows } from './epoch-rows';
import { epochWithMaps, heatmapFigure } from './heatmap-figure';
import { svgToPng } from './png';
import { metricsCsv, metricsJson } from './tables';
import { tradeoffFigure } from './tradeoff-figure';

export interface ReportOptions {
  /** Class whose region is drawn over training (paper: digit 8). */
  regionClass?: number;
  classNames?: string[];
}

export interface ReportFile { path: string; bytes: number }

/** Every figure of a run as SVG text, by file stem. */
export function reportFigures(run: Run, snapshots: EmbeddingSnapshot[], options: ReportOptions = {}): Record<string, string> {
  const rows = epochRows(run);
  const name = `${run.config?.name || run.id} (${run.config?.dataset ?? '?'}, ${run.config?.model?.architecture ?? '?'})`;
  const regionClass = options.regionClass ?? 8;
  const latest = [...snapshots].sort((a, b) => b.epoch - a.epoch)[0];
  const mapsEpoch = epochWithMaps(run.epochs);
  return {
    accuracy: accuracyFigure(rows, `Accuracy per epoch — ${name}`),
    tradeoff: tradeoffFigure(rows, `Δx against Δp per epoch — ${name}`),
    heatmaps: heatmapFigure(mapsEpoch, `Per-pixel Δx and Δp${mapsEpoch ? ` at epoch ${mapsEpoch.epoch}` : ''} — ${name}`),
    embedding: embeddingFigure(latest, `t-SNE of feature vectors — ${name}`, options.classNames),
    'class-region': classRegionFigure(snapshots, regionClass, options.classNames?.[regionClass] ?? String(regionClass)),
  };
}

/** Writes the figures (SVG and PNG), metrics.csv and metrics.json into `outDir`; returns what it wrote. */
export async function writeReport(run: Run, snapshots: EmbeddingSnapshot[], outDir: string, options: ReportOptions = {}): Promise<ReportFile[]> {
  await mkdir(outDir, { recursive: true });
  const files: Array<[string, string | Buffer]> = [];
  for (const [stem, svg] of Object.entries(reportFigures(run, snapshots, options))) {
    files.push([`${stem}.svg`, svg], [`${stem}.png`, svgToPng(svg)]);
  }
  files.push(['metrics.csv', metricsCsv(run)], ['metrics.json', metricsJson(run)]);
  const written: ReportFile[] = [];
  for (const [file, content] of files) {
    const path = join(outDir, file);
    await writeFile(path, content);
    written.push({ path, bytes: Buffer.byteLength(content) });
  }
  return written;
}
