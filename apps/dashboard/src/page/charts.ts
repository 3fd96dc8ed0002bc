// The two live charts (Chart.js): accuracy per epoch, and the Δx–Δp trade-off with the bound Δx·Δp = ½.
import {
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartDataset,
  type TooltipItem,
} from 'chart.js';
import type { EpochView, EstimatorName, SpaceName } from '../view/events';
import { cssVar } from './dom';

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip);

// Readable on light and dark backgrounds alike.
const COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#59a14f', '#b07aa1'];

interface TradeoffPoint {
  x: number;
  y: number;
  epoch: number;
}

const SERIES: { estimator: EstimatorName; space: SpaceName }[] = [
  { estimator: 'ensemble', space: 'pixel' },
  { estimator: 'packet', space: 'pixel' },
  { estimator: 'ensemble', space: 'feature' },
  { estimator: 'packet', space: 'feature' },
];

export class RunCharts {
  private readonly accuracy: Chart<'line', { x: number; y: number | null }[]>;
  private readonly tradeoff: Chart<'scatter', TradeoffPoint[]>;

  constructor(accuracyCanvas: HTMLCanvasElement, tradeoffCanvas: HTMLCanvasElement) {
    Chart.defaults.color = cssVar('--muted');
    Chart.defaults.borderColor = cssVar('--grid');
    const line = (label: string, colour: string) => ({ label, data: [], borderColor: colour, backgroundColor: colour, spanGaps: false });
    this.accuracy = new Chart(accuracyCanvas, {
      type: 'line',
      data: {
        datasets: [line('test', COLOURS[0]), line('robust, pixel', COLOURS[1]), line('robust, feature', COLOURS[2])],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: { type: 'linear', title: { display: true, text: 'epoch' }, ticks: { precision: 0 } },
          y: { min: 0, max: 1, title: { display: true, text: 'accuracy' } },
        },
        plugins: { legend: { position: 'bottom' } },
      },
    });
    this.tradeoff = new Chart(tradeoffCanvas, {
      type: 'scatter',
      data: {
        datasets: [
          ...SERIES.map(({ estimator, space }, i) => ({
            label: `${estimator}, ${space}`,
            data: [],
            showLine: true,
            borderColor: COLOURS[i],
            backgroundColor: COLOURS[i],
            pointStyle: space === 'pixel' ? 'circle' : 'rectRot',
          })),
          {
            label: 'Δx·Δp = ½',
            data: [],
            showLine: true,
            borderColor: cssVar('--muted'),
            borderDash: [6, 4],
            pointRadius: 0,
            pointHitRadius: 0,
          },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: { type: 'logarithmic', title: { display: true, text: 'Δx' } },
          y: { type: 'logarithmic', title: { display: true, text: 'Δp' } },
        },
        plugins: {
          legend: { position: 'bottom' },
          tooltip: {
            callbacks: {
              label: (item: TooltipItem<'scatter'>) => {
                const point = item.raw as TradeoffPoint;
                return `${item.dataset.label}: epoch ${point.epoch}, Δx ${point.x.toPrecision(3)}, Δp ${point.y.toPrecision(3)}, Δx·Δp ${(point.x * point.y).toPrecision(3)}`;
              },
            },
          },
        },
      },
    });
  }

  destroy(): void {
    this.accuracy.destroy();
    this.tradeoff.destroy();
  }

  /** Redraws both charts for these epochs; returns the points plotted. */
  show(epochs: EpochView[]): { accuracyEpochs: number; tradeoffPoints: number } {
    const [test, pixel, feature] = this.accuracy.data.datasets;
    test.data = epochs.map((e) => ({ x: e.epoch, y: e.testAccuracy }));
    pixel.data = epochs.map((e) => ({ x: e.epoch, y: e.robustPixel.value }));
    feature.data = epochs.map((e) => ({ x: e.epoch, y: e.robustFeature.value }));
    this.accuracy.update('none');

    const series = SERIES.map(({ estimator, space }) =>
      epochs.flatMap((e) => {
        const u = e.uncertainty.find((m) => m.estimator === estimator && m.space === space);
        return u && u.dx.value !== null && u.dp.value !== null && u.dx.value > 0 && u.dp.value > 0
          ? [{ x: u.dx.value, y: u.dp.value, epoch: e.epoch }]
          : [];
      }),
    );
    const datasets = this.tradeoff.data.datasets as ChartDataset<'scatter', TradeoffPoint[]>[];
    series.forEach((points, i) => (datasets[i].data = points));
    datasets[SERIES.length].data = boundCurve(series.flat());
    this.tradeoff.update('none');
    return { accuracyEpochs: epochs.length, tradeoffPoints: series.reduce((sum, points) => sum + points.length, 0) };
  }
}

/** Δp = 1/(2Δx) over the plotted Δx range (a factor 3 either side), so every point can be read against it. */
function boundCurve(points: TradeoffPoint[]): TradeoffPoint[] {
  const xs = points.map((p) => p.x);
  const low = (xs.length ? Math.min(...xs) : 0.01) / 3;
  const high = (xs.length ? Math.max(...xs) : 1) * 3;
  return Array.from({ length: 41 }, (_, i) => {
    const x = low * (high / low) ** (i / 40);
    return { x, y: 1 / (2 * x), epoch: -1 };
  });
}
