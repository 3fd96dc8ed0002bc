// The dashboard end to end: a real nats-server, the server over a real socket, the page in headless
// Chromium (Debian /usr/bin/chromium through playwright-core). Screenshots go to artifacts/dashboard/.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { connectNatsBus, type EventBus, type NatsServerHandle, startNatsServer } from '@conjugate/bus';
import { RunState } from '@conjugate/proto';
import { sampleEmbedding, sampleEpoch, sampleStatus } from './sample-events';
import { startDashboard, type Dashboard } from './server';

const ARTIFACTS = join(__dirname, '..', '..', '..', 'artifacts', 'dashboard');

let nats: NatsServerHandle;
let publisher: EventBus;
let dashboardBus: EventBus;
let dashboard: Dashboard;
let browser: BrowserContext;
let profileDir: string;
const pageProblems: string[] = [];

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  nats = await startNatsServer();
  publisher = await connectNatsBus({ url: nats.url, name: 'test-publisher' });
  dashboardBus = await connectNatsBus({ url: nats.url, name: 'dashboard' });
  dashboard = await startDashboard({ bus: dashboardBus, logger: silentLogger() });
  profileDir = await mkdtemp(join(tmpdir(), 'conjugate-chromium-'));
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  await dashboardBus?.close();
  await publisher?.close();
  await nats?.stop();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
});

async function openPage(path = ''): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (message) => message.type() === 'error' && pageProblems.push(message.text()));
  page.on('pageerror', (error) => pageProblems.push(error.message));
  await page.goto(new URL(path, dashboard.url).href);
  return page;
}

const epochsShown = (page: Page, runId: string, count: number) =>
  page.waitForSelector(`#accuracy-figure[data-run-id="${runId}"][data-epochs="${count}"]`, { state: 'attached' });

describe('dashboard in a real browser', () => {
  it('draws a newly published epoch without a reload, and the whole history after one', async () => {
    await publisher.publishStatus(sampleStatus('live-run', 'cnn3 on MNIST', RunState.RUN_STATE_RUNNING, Date.now() + 60_000));
    await publisher.publishEpoch(sampleEpoch('live-run', 0));
    await publisher.publishEpoch(sampleEpoch('live-run', 1));
    await publisher.publishEmbedding(sampleEmbedding('live-run', 1));
    await publisher.publishProgress({ runId: 'live-run', epoch: 2, progress: { stage: 'train', done: 40, total: 100, unit: 'batches', ratePerSecond: 12.5 } });
    // Epoch 1's evaluation runs while epoch 2 trains: both are shown.
    await publisher.publishProgress({ runId: 'live-run', epoch: 1, progress: { stage: 'robust/pixel', done: 3, total: 8, unit: 'batches', ratePerSecond: 0 } });

    const page = await openPage('#run=live-run');
    await epochsShown(page, 'live-run', 2);
    // Progress is not stored, but the server hands a new browser the latest progress of each run.
    await page.waitForSelector('#progress-evaluation-row:not([hidden])');
    expect(await page.textContent('#progress-train-text')).toBe('epoch 2 · train 40/100 batches · 12.5 batches/s');
    expect(await page.textContent('#progress-evaluation-text')).toBe('epoch 1 · robust/pixel 3/8 batches');
    await page.screenshot({ path: join(ARTIFACTS, 'progress.png') });
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));

    await publisher.publishEpoch(sampleEpoch('live-run', 2));
    await epochsShown(page, 'live-run', 3);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await page.getAttribute('#tradeoff-figure', 'data-points')).toBe('12');
    await page.waitForSelector('#embedding-section:not([hidden])');
    await page.screenshot({ path: join(ARTIFACTS, 'live.png'), fullPage: true });

    await page.reload();
    await epochsShown(page, 'live-run', 3);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBeUndefined();
    expect(await page.locator('#heatmaps .heatmap').count()).toBe(12);
    expect(await page.textContent('#run-name')).toBe('cnn3 on MNIST');
    expect(await page.textContent('#embedding-legend')).toContain('120 test points');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForFunction(() => new Promise((resolve) => requestAnimationFrame(() => resolve(true))));
    expect(await page.isHidden('#progress-section')).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'dark.png'), fullPage: true });
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(20, 22, 26)');
    await page.close();
  });

  it('shows a run name with markup as text', async () => {
    const name = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">';
    await publisher.publishStatus(sampleStatus('xss-run', name, RunState.RUN_STATE_PENDING, Date.now() + 120_000));
    const page = await openPage('#run=xss-run');
    await page.waitForSelector('#run-list button[data-run-id="xss-run"]');
    expect(await page.textContent('#run-name')).toBe(name);
    expect(await page.textContent('#run-list button[data-run-id="xss-run"] .run-name')).toBe(name);
    expect(await page.locator('#run-list script, #run-list img, #run-name *').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await page.screenshot({ path: join(ARTIFACTS, 'markup-name.png') });
    await page.close();
  });

  it("sends the page's Faro telemetry to the server's collector: run selected, chart render time, errors, console, web vitals", async () => {
    await publisher.publishStatus(sampleStatus('faro-run', 'faro', RunState.RUN_STATE_COMPLETED, Date.now() - 60_000));
    await publisher.publishEpoch(sampleEpoch('faro-run', 0, { withMaps: false }));
    const page = await browser.newPage(); // not openPage: this test makes the page fail on purpose
    await page.goto(dashboard.url);
    await page.click('#run-list button[data-run-id="faro-run"]');
    await epochsShown(page, 'faro-run', 1);
    await page.evaluate(() => {
      console.warn('a warning Faro should capture');
      setTimeout(() => {
        throw new Error('an error Faro should capture');
      });
    });
    // Faro batches; leaving the page flushes the batch and reports web vitals (as a real tab close would).
    await page.close({ runBeforeUnload: true });
    await until(() => {
      const counts = dashboard.faroCounts();
      return (
        counts.eventNames.run_selected >= 1 &&
        counts.measurementTypes.chart_render >= 1 &&
        counts.measurementTypes['web-vitals'] >= 1 &&
        counts.exceptions >= 1 &&
        counts.logs >= 1
      );
    });
    expect(dashboard.faroCounts().payloads).toBeGreaterThan(0);
  });

  it('keeps following after nats-server restarts, and the open page gets the new epoch', async () => {
    await publisher.publishStatus(sampleStatus('restart-run', 'survives a restart', RunState.RUN_STATE_RUNNING, Date.now() + 180_000));
    await publisher.publishEpoch(sampleEpoch('restart-run', 0, { withMaps: false }));
    const page = await openPage('#run=restart-run');
    await epochsShown(page, 'restart-run', 1);

    await nats.restart();
    // A publisher retries until its connection is back (the message id keeps a retry from being stored twice).
    await retry(() => publisher.publishEpoch(sampleEpoch('restart-run', 1, { withMaps: false })));
    await epochsShown(page, 'restart-run', 2);
    await page.close();
  });

  it('serves REST and resumable server-sent events, with CSP and no violations on the page', async () => {
    const root = await fetch(dashboard.url);
    expect(root.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(root.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await root.text()).not.toMatch(/<script>|<script [^>]*>[^<]/);

    const { runs } = (await (await fetch(new URL('/api/runs', dashboard.url))).json()) as { runs: { runId: string; epochsDone: number }[] };
    expect(runs.find((run) => run.runId === 'live-run')?.epochsDone).toBe(2);
    const run = (await (await fetch(new URL('/api/runs/live-run', dashboard.url))).json()) as { epochs: { epoch: number }[] };
    expect(run.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    const missing = await fetch(new URL('/api/runs/nope', dashboard.url));
    expect([missing.status, await missing.json()]).toEqual([404, { error: 'run "nope" not found' }]);
    const bad = await fetch(new URL('/api/events?after=abc', dashboard.url));
    expect(bad.status).toBe(400);

    const all = await readEventIds({});
    expect(all.length).toBeGreaterThan(3);
    const resumed = await readEventIds({ 'last-event-id': String(all[1]) });
    expect(resumed).toEqual(all.slice(2));
    expect(pageProblems).toEqual([]);
  });
});

/** The ids an SSE connection gets, read until the server's last stored sequence has arrived. */
async function readEventIds(headers: Record<string, string>): Promise<number[]> {
  const { lastSeq } = (await (await fetch(new URL('/healthz', dashboard.url))).json()) as { lastSeq: number };
  const abort = new AbortController();
  const response = await fetch(new URL('/api/events', dashboard.url), { headers, signal: abort.signal });
  const reader = response.body!.getReader();
  let text = '';
  while (!text.includes(`id: ${lastSeq}\n`)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString('utf8');
  }
  abort.abort();
  return [...text.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));
}

async function retry(action: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (attempt === 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 50));
}

function silentLogger() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@conjugate/service-kit').createLogger('dashboard-test', { level: 'silent' });
}
