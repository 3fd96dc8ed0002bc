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

/** Every figure of a run as SVG text, by file stem. */
export function reportFigures(run: Run, snapshots: EmbeddingSnapshot[], options: ReportOptions = {}): Record<string, string> {
  const rows = epochRows(run);
  const name = `${run.config?.name || run.id} (${run.config?.dataset ?? '?'}, ${run.config?.model?.architecture ?? '?'})`;
  const regionClass = options.regionClass ?? 8;
  const mapsEpoch = epochWithMaps(run.epochs);
  return {
    ...figure1(snapshots, `t-SNE of feature vectors — ${name}`, regionClass, options.classNames),
    // Figure 2: (A) test and robust accuracy, (B) the Δx–Δp trade-off, per epoch.
    'figure2-a': accuracyFigure(rows, `A · Accuracy per epoch — ${name}`),
    'figure2-b': tradeoffFigure(rows, `B · Δx against Δp per epoch — ${name}`),
    heatmaps: heatmapFigure(mapsEpoch, `Per-pixel Δx and Δp${mapsEpoch ? ` at epoch ${mapsEpoch.epoch}` : ''} — ${name}`),
  };
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
