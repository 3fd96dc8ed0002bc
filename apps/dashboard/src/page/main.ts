// The dashboard page: folds the server-sent events into runs (the same fold as the server), and draws
// the selected run on the next animation frame. The selected run lives in the URL (#run=<id>).
import type { DashboardEvent, PageConfig } from '../view/events';
import { applyEvent, listRuns, type RunView, type Runs } from '../view/runs';
import { RunCharts } from './charts';
import { byId, percent, syncSelect } from './dom';
import { drawEmbedding } from './embedding-map';
import { renderHeatmaps } from './heatmaps';
import { renderRunList } from './run-list';
import { startTelemetry, type Telemetry } from './telemetry';

const runs: Runs = new Map();
const dirty = { list: true, run: true, progress: true };
let telemetry: Telemetry = { runSelected: () => undefined, chartRendered: () => undefined };
let charts: RunCharts | undefined;
let frameRequested = false;
/** Whether the server draws the paper's figures (from /api/config). */
let serverFigures = false;

function selectedRunId(): string | undefined {
  const match = /^#run=(.+)$/.exec(window.location.hash);
  try {
    return match ? decodeURIComponent(match[1]) : undefined;
  } catch {
    return undefined; // a hand-edited hash with a broken %-escape: show the default run
  }
}

function selectRun(runId: string): void {
  if (runId !== selectedRunId()) window.location.hash = `run=${encodeURIComponent(runId)}`;
}

function receive(event: DashboardEvent): void {
  applyEvent(runs, event);
  const forSelected = event.runId === (selectedRunId() ?? listRuns(runs)[0]?.runId);
  dirty.list ||= event.kind !== 'progress';
  dirty.run ||= forSelected && event.kind !== 'progress';
  dirty.progress ||= forSelected;
  scheduleRender();
}

function scheduleRender(): void {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => {
    frameRequested = false;
    render();
  });
}

function render(): void {
  const summaries = listRuns(runs);
  byId('no-runs').hidden = summaries.length > 0;
  const runId = selectedRunId() ?? summaries[0]?.runId;
  const run = runId === undefined ? undefined : runs.get(runId);
  if (dirty.list) renderRunList(byId<HTMLUListElement>('run-list'), summaries, runId, selectRun);
  byId('run').hidden = !run;
  if (run && dirty.run) renderRun(run);
  if (run && (dirty.progress || dirty.run)) renderProgress(run);
  dirty.list = dirty.run = dirty.progress = false;
}

function renderRun(run: RunView): void {
  byId('run-name').textContent = run.name || run.runId;
  const state = byId('run-state');
  state.textContent = run.state;
  state.dataset.state = run.state;
  const last = run.epochs[run.epochs.length - 1];
  byId('run-meta').textContent = [
    run.runId,
    run.dataset,
    run.architecture,
    last ? `epoch ${last.epoch}${run.epochsPlanned ? ` of ${run.epochsPlanned}` : ''}` : 'no epochs yet',
    last ? `test ${percent(last.testAccuracy)}, robust pixel ${percent(last.robustPixel.value)}, feature ${percent(last.robustFeature.value)}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  byId('run-reason').textContent = run.reason;

  const started = performance.now();
  charts ??= new RunCharts(byId<HTMLCanvasElement>('accuracy-chart'), byId<HTMLCanvasElement>('tradeoff-chart'));
  const plotted = charts.show(run.epochs);
  const accuracyFigure = byId('accuracy-figure');
  accuracyFigure.dataset.epochs = String(plotted.accuracyEpochs);
  accuracyFigure.dataset.lastEpoch = last ? String(last.epoch) : '';
  accuracyFigure.dataset.runId = run.runId;
  byId('tradeoff-figure').dataset.points = String(plotted.tradeoffPoints);
  telemetry.chartRendered(performance.now() - started, run.epochs.length);

  const withMaps = run.epochs.filter((e) => e.uncertainty.some((u) => u.maps.length > 0));
  byId('heatmaps-section').hidden = withMaps.length === 0;
  const mapEpoch = syncSelect(byId<HTMLSelectElement>('heatmap-epoch'), withMaps.map((e) => e.epoch));
  const mapView = withMaps.find((e) => e.epoch === mapEpoch);
  if (mapView) renderHeatmaps(byId('heatmaps'), mapView);

  byId('embedding-section').hidden = run.embeddings.length === 0;
  const embeddingEpoch = syncSelect(byId<HTMLSelectElement>('embedding-epoch'), run.embeddings.map((e) => e.epoch));
  const embedding = run.embeddings.find((e) => e.epoch === embeddingEpoch);
  if (embedding) drawEmbedding(byId<HTMLCanvasElement>('embedding-map'), embedding, byId('embedding-legend'));

  // Drawn by the server from the training-service's run record; fetched again when a snapshot is added.
  const drawFigures = serverFigures && run.embeddings.length > 0;
  byId('paper-figures-section').hidden = !drawFigures;
  const figure = byId<HTMLImageElement>('paper-figure1');
  const source = `/api/runs/${encodeURIComponent(run.runId)}/figures/figure1.svg?snapshots=${run.embeddings.length}`;
  if (drawFigures && figure.getAttribute('src') !== source) figure.setAttribute('src', source);
}

function renderProgress(run: RunView): void {
  const { train, evaluation } = run.progress;
  byId('progress-section').hidden = !train && !evaluation;
  for (const [slot, progress] of [['train', train], ['evaluation', evaluation]] as const) {
    byId(`progress-${slot}-row`).hidden = !progress;
    if (!progress) continue;
    const bar = byId<HTMLProgressElement>(`progress-${slot}`);
    bar.max = Math.max(progress.total, 1);
    bar.value = Math.min(progress.done, bar.max);
    const rate = progress.ratePerSecond > 0 ? ` · ${progress.ratePerSecond.toFixed(1)} ${progress.unit}/s` : '';
    byId(`progress-${slot}-text`).textContent = `epoch ${progress.epoch} · ${progress.stage} ${progress.done}/${progress.total} ${progress.unit}${rate}`;
  }
}

function connect(): void {
  const badge = byId('connection');
  const setConnection = (state: string, text: string) => {
    badge.dataset.state = state;
    badge.textContent = text;
  };
  // EventSource reconnects by itself and sends Last-Event-ID, so the server sends only what was missed.
  const source = new EventSource('/api/events');
  source.onopen = () => setConnection('live', 'live');
  source.onerror = () => setConnection('reconnecting', 'reconnecting…');
  source.onmessage = (message: MessageEvent<string>) => receive(JSON.parse(message.data) as DashboardEvent);
}

async function start(): Promise<void> {
  try {
    const response = await fetch('/api/config');
    const config = (await response.json()) as PageConfig;
    serverFigures = config.figures;
    telemetry = startTelemetry(config);
  } catch (error) {
    console.warn('no page config; running without telemetry', error);
  }
  window.addEventListener('hashchange', () => {
    const runId = selectedRunId();
    if (runId) telemetry.runSelected(runId);
    dirty.list = dirty.run = dirty.progress = true;
    scheduleRender();
  });
  for (const id of ['heatmap-epoch', 'embedding-epoch']) {
    byId(id).addEventListener('change', () => {
      dirty.run = true;
      scheduleRender();
    });
  }
  // Colours come from CSS variables when drawn: redraw everything when the colour scheme changes.
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    charts?.destroy();
    charts = undefined;
    dirty.run = true;
    scheduleRender();
  });
  connect();
  scheduleRender();
}

void start();
