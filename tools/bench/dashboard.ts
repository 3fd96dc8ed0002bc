// Latency from publishing an epoch event on NATS to the page's accuracy chart showing it: real
// nats-server, the dashboard over a socket, headless Chromium. One event at a time (the next is published
// once the page has drawn the last), 200 events. Both clocks are this machine's wall clock
// (performance.timeOrigin + performance.now() in Node and in the page).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { connectNatsBus, startNatsServer } from '@conjugate/bus';
import { createLogger } from '@conjugate/service-kit';
import { startDashboard } from '@conjugate/dashboard';
import { sampleEpoch, sampleStatus } from '@conjugate/dashboard/testing';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200);

type RenderLog = { renders: { epochs: number; at: number }[] };

async function main() {
  const nats = await startNatsServer();
  const publisher = await connectNatsBus({ url: nats.url, name: 'bench-publisher' });
  const dashboardBus = await connectNatsBus({ url: nats.url, name: 'bench-dashboard' });
  const dashboard = await startDashboard({ bus: dashboardBus, logger: createLogger('dashboard', { level: 'warn' }) });
  const profile = await mkdtemp(join(tmpdir(), 'conjugate-bench-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    await publisher.publishStatus(sampleStatus('bench-run', 'latency bench'));
    const page = await browser.newPage();
    await page.goto(new URL('#run=bench-run', dashboard.url).href);
    await page.waitForSelector('#accuracy-figure[data-run-id="bench-run"]', { state: 'attached' });
    // Record when the chart's epoch count changes (set right after Chart.js has drawn).
    await page.evaluate(() => {
      const log: RenderLog = { renders: [] };
      Object.assign(window, { benchLog: log });
      const figure = document.getElementById('accuracy-figure')!;
      new MutationObserver(() => log.renders.push({ epochs: Number(figure.dataset.epochs), at: performance.timeOrigin + performance.now() })).observe(figure, {
        attributes: true,
        attributeFilter: ['data-epochs'],
      });
    });

    const publishedAt: number[] = [];
    for (let epoch = 0; epoch < EVENTS; epoch++) {
      const event = sampleEpoch('bench-run', epoch, { withMaps: false });
      publishedAt.push(performance.timeOrigin + performance.now());
      await publisher.publishEpoch(event);
      await page.waitForFunction((count) => (window as unknown as { benchLog: RenderLog }).benchLog.renders.some((r) => r.epochs === count), epoch + 1, { polling: 'raf' });
    }
    const renders = await page.evaluate(() => (window as unknown as { benchLog: RenderLog }).benchLog.renders);
    const latencies = publishedAt.map((at, epoch) => renders.find((r) => r.epochs === epoch + 1)!.at - at).sort((a, b) => a - b);
    const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)];
    console.log(`dashboard_epoch_to_chart_events: ${latencies.length} count`);
    console.log(`dashboard_epoch_to_chart_p50: ${quantile(0.5).toFixed(1)} ms`);
    console.log(`dashboard_epoch_to_chart_p99: ${quantile(0.99).toFixed(1)} ms`);
    console.log(`dashboard_epoch_to_chart_max: ${latencies[latencies.length - 1].toFixed(1)} ms`);
  } finally {
    await browser.close();
    await dashboard.close();
    await dashboardBus.close();
    await publisher.close();
    await nats.stop();
    await rm(profile, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
