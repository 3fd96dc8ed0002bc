import { embeddingSnapshot } from '@conjugate/embedding';
import type { EmbeddingSnapshot } from '@conjugate/proto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accuracyFigure } from './accuracy-figure';
import { chooseRegionEpochs, figure1 } from './embedding-figure';
import { epochRows } from './epoch-rows';
import { svgToPng } from './png';
import { testRun } from './test-run';
import { tradeoffFigure } from './tradeoff-figure';
import { FIGURE_STEMS, reportFigures, writeReport } from './write-report';

function clusterSnapshot(epoch: number) {
  const rows = Array.from({ length: 30 }, (_, i) => Array.from({ length: 6 }, (_, d) => (d === i % 3 ? 5 : 0) + Math.sin(i * 7 + d)));
  const labels = rows.map((_, i) => (i % 3) * 4); // classes 0, 4, 8
  const probabilities = labels.map((l) => Array.from({ length: 10 }, (_, c) => (c === l ? 0.91 : 0.01)));
  return embeddingSnapshot({ epoch, features: rows, labels, probabilities, adversarialFeatures: rows.map((r) => r.map((v) => v + 0.5)),
    adversarialProbabilities: probabilities, gridSize: 12, tsne: { iterations: 150 } });
}

// t-SNE is async (it yields between iterations): the two snapshots are made once.
let at1: EmbeddingSnapshot;
let at5: EmbeddingSnapshot;
beforeAll(async () => {
  [at1, at5] = await Promise.all([clusterSnapshot(1), clusterSnapshot(5)]);
});

describe('figures', () => {
  it('accuracy figure draws the three curves and says where a value is missing', () => {
    const svg = accuracyFigure(epochRows(testRun()), 'acc');
    expect(svg.match(/<path /g)).toHaveLength(3);
    expect(svg).toContain('missing at epoch 2');
  });

  it('trade-off figure draws the bound curve in measured panels and "not measured" with the reason otherwise', () => {
    const svg = tradeoffFigure(epochRows(testRun()), 'tradeoff');
    expect(svg.match(/Δx·Δp = ½/g)).toHaveLength(3);
    expect(svg).toContain('not measured');
    expect(svg).toContain('DEADLINE_EXCEEDED');
  });

  it('Figure 1: A and B draw one region cell per grid cell and one marker per point, C and D one map per chosen epoch', () => {
    const figures = figure1([at1, at5], 'map', 8);
    expect(Object.keys(figures).sort()).toEqual(['figure1', 'figure1-a', 'figure1-b', 'figure1-c', 'figure1-d']);
    // A and B map the last snapshot: 144 cells each, 30 dots in A, 30 crosses in B.
    expect(figures['figure1-a']).toContain('epoch 5');
    expect(figures['figure1-a'].match(/fill-opacity/g)).toHaveLength(144);
    expect(figures['figure1-a'].match(/stroke-width="0.4"/g)).toHaveLength(30);
    expect(figures['figure1-b'].match(/<path d="M/g)).toHaveLength(30);
    // C: the 10 points of class 8 at each of two epochs; D: their attacked versions (the attack keeps them 8).
    expect(figures['figure1-c']).toContain('epoch 1');
    expect(figures['figure1-c'].match(/r="2.5"/g)).toHaveLength(20);
    expect(figures['figure1-d'].match(/<path d="M/g)).toHaveLength(20);
    // The combined figure nests the four panels.
    expect(figures.figure1.match(/<svg /g)).toHaveLength(5);
    expect(figure1([], 'map', 8)['figure1-a']).toContain('no embedding snapshot');
  });

  it('picks the paper epochs 1, 21, 41 when they exist, otherwise first, middle, last', () => {
    const at = (epochs: number[]) => chooseRegionEpochs(epochs.map((epoch) => ({ epoch, bounds: [] }))).map((s) => s.epoch);
    expect(at([0, 1, 11, 21, 31, 41, 50])).toEqual([1, 21, 41]);
    expect(at([0, 1, 2, 3, 4])).toEqual([0, 2, 4]);
  });

  it('draws only the figures asked for, and every one by default', () => {
    expect(Object.keys(reportFigures(testRun(), [at1], {}, ['figure2-a']))).toEqual(['figure2-a']);
    expect(Object.keys(reportFigures(testRun(), [at1], {}, ['figure1-c']))).toEqual(['figure1-c']);
    expect(Object.keys(reportFigures(testRun(), [at1])).sort()).toEqual([...FIGURE_STEMS].sort());
  });

  it('rasterises SVG to PNG', () => {
    const png = svgToPng(accuracyFigure(epochRows(testRun()), 'acc'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('writeReport writes every figure as SVG and PNG, and the CSV and JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-'));
    try {
      const files = await writeReport(testRun(), [at1], dir);
      const names = files.map((f) => f.path.slice(dir.length + 1)).sort();
      const figures = ['figure1', 'figure1-a', 'figure1-b', 'figure1-c', 'figure1-d', 'figure2-a', 'figure2-b', 'heatmaps'];
      expect(names).toEqual([...figures.flatMap((f) => [`${f}.png`, `${f}.svg`]), 'metrics.csv', 'metrics.json'].sort());
      for (const file of files) expect((await readFile(file.path)).length).toBe(file.bytes);
      expect(files.every((f) => f.bytes > 100)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
