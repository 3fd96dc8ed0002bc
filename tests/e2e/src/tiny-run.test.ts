import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connectNatsBus, type EventBus, type NatsServerHandle, startNatsServer } from '@conjugate/bus';
import { Estimator, Space, type EpochMetrics } from '@conjugate/proto';

const NATS_TOKEN = 'e2e-token';
const BIN = join(__dirname, '..', '..', '..', 'apps', 'cli', 'bin', 'conjugate.cjs');

describe('the tiny preset end to end: every service its own process, real NATS, the CLI as a user runs it', () => {
  let nats: NatsServerHandle;
  let home: string;
  let stack: ChildProcess | undefined;
  let bus: EventBus | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    // The user's own NATS with authorization on: every process of the stack takes the token from the env.
    nats = await startNatsServer({ authorization: { token: NATS_TOKEN } });
    home = await mkdtemp(join(tmpdir(), 'conjugate-e2e-'));
    env = { ...process.env, NATS_URL: nats.url, NATS_TOKEN, CONJUGATE_HOME: home, LOG_LEVEL: 'warn' };
  });

  afterAll(async () => {
    await bus?.close();
    if (stack && stack.exitCode === null) {
      const exited = new Promise((resolve) => stack!.once('exit', resolve));
      stack.kill('SIGTERM');
      await exited;
    }
    await nats.stop();
    await rm(home, { recursive: true, force: true });
  });

  const conjugate = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env, cwd: home, maxBuffer: 64 * 1024 * 1024 });

  it('trains, measures every epoch through the services, and reports', async () => {
    // `conjugate up --processes`: prints its addresses as one JSON line once every service listens.
    // Two uncertainty replicas, so each packet estimate is sharded over both and merged.
    stack = spawn(process.execPath, [BIN, 'up', '--processes', '--uncertainty-replicas', '2', '--dashboard-port', '0', '--json'], { env, cwd: home, stdio: ['ignore', 'pipe', 'inherit'] });
    const firstLine = await new Promise<string>((resolve, reject) => {
      createInterface({ input: stack!.stdout! }).once('line', resolve);
      stack!.once('exit', (code) => reject(new Error(`conjugate up exited with ${code} before it was ready`)));
    });
    const addresses = JSON.parse(firstLine) as { training: string; uncertainty: string; dashboard: string; nats: string; metrics: Record<string, string> };
    expect(addresses.nats).toBe(nats.url);
    expect(addresses.uncertainty.split(',')).toHaveLength(2);
    // Every service child serves its own /metrics (each replica too), the computing ones with tf.memory() gauges.
    const metricsUrls = Object.entries(addresses.metrics).flatMap(([service, urls]) => urls.split(',').map((url) => [service, url] as const));
    expect(metricsUrls.map(([service]) => service).sort()).toEqual(['attack', 'data', 'training', 'uncertainty', 'uncertainty']);
    expect(new Set(metricsUrls.map(([, url]) => url)).size).toBe(5);
    const scrape = async (url: string) => (await fetch(url)).text();

    const run = conjugate('run', '--preset', 'tiny', '--follow', '--json');
    expect(run.stderr).not.toContain('conjugate:');
    expect(run.status).toBe(0);
    const started = JSON.parse(run.stdout.split('\n')[0]) as { id: string };

    // The epoch events as the bus stored them (replayed from JetStream).
    bus = await connectNatsBus({ url: nats.url, credentials: { token: NATS_TOKEN } });
    const epochs: EpochMetrics[] = [];
    let embeddings = 0;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 20_000);
    for await (const { event } of bus.subscribe({ runId: started.id, replay: true, signal: abort.signal })) {
      if (event.event?.$case === 'epoch' && event.event.value.metrics) epochs.push(event.event.value.metrics);
      if (event.event?.$case === 'embedding') embeddings++;
      if (event.event?.$case === 'status' && event.event.value.state === 3 /* COMPLETED */) break;
    }
    clearTimeout(timer);
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect(embeddings).toBe(1);

    for (const metrics of epochs) {
      const where = `epoch ${metrics.epoch}`;
      for (const robust of [metrics.robustPixel, metrics.robustFeature]) {
        expect({ where, missing: robust?.missingReason }).toEqual({ where, missing: '' });
        expect(robust!.result!.robustAccuracy).toBeLessThanOrEqual(robust!.result!.cleanAccuracy);
      }
      expect(metrics.uncertainty.map((u) => [u.estimator, u.space, u.missingReason])).toEqual([
        [Estimator.ESTIMATOR_ENSEMBLE, Space.SPACE_PIXEL, ''], [Estimator.ESTIMATOR_ENSEMBLE, Space.SPACE_FEATURE, ''],
        [Estimator.ESTIMATOR_PACKET, Space.SPACE_PIXEL, ''], [Estimator.ESTIMATOR_PACKET, Space.SPACE_FEATURE, ''],
      ]);
      for (const packet of metrics.uncertainty.filter((u) => u.estimator === Estimator.ESTIMATOR_PACKET)) {
        const product = packet.result!.result!.value.overall!.meanProduct!;
        expect(product.value).toBeGreaterThanOrEqual(0.5 - 3 * product.standardError);
      }
    }
    expect(epochs[2].hasEmbedding).toBe(true);
    expect(epochs[2].testAccuracy).toBeGreaterThan(epochs[0].testAccuracy);

    const out = join(home, 'report');
    const report = conjugate('report', started.id, '--out', out, '--json');
    expect(report.stderr).not.toContain('conjugate:');
    expect(report.status).toBe(0);
    for (const file of ['figure2-a.png', 'figure2-a.svg', 'figure2-b.png', 'figure2-b.svg', 'heatmaps.png', 'figure1.png', 'figure1.svg', 'figure1-a.png', 'figure1-d.png', 'metrics.csv', 'metrics.json']) {
      expect({ file, bytes: (await stat(join(out, file))).size > 200 }).toEqual({ file, bytes: true });
    }
    // Figure 1 holds the run's points (the tiny preset maps 40 at epoch 2): a dot per point in A, a cross in B.
    expect(JSON.parse(report.stdout).snapshots).toBe(1);
    expect((await readFile(join(out, 'figure1-a.svg'), 'utf8')).match(/stroke-width="0.4"/g)).toHaveLength(40);
    expect((await readFile(join(out, 'figure1-b.svg'), 'utf8')).match(/<path d="M/g)).toHaveLength(40);
    // The dashboard draws the same figures from the training-service's run record.
    const dashboard = (path: string) => fetch(new URL(path, addresses.dashboard));
    const figure = await dashboard(`/api/runs/${started.id}/figures/figure1-a.svg`);
    const svg = await figure.text();
    expect([figure.status, figure.headers.get('content-type'), figure.status === 200 ? '' : svg]).toEqual([200, 'image/svg+xml', '']);
    expect(svg.match(/stroke-width="0.4"/g)).toHaveLength(40);
    expect((await dashboard(`/api/runs/${started.id}/figures/nope.svg`)).status).toBe(404);
    expect((await dashboard('/api/runs/no-such-run/figures/figure1.svg')).status).toBe(404);

    for (const [service, url] of metricsUrls) {
      const text = await scrape(url);
      expect({ service, served: text.includes('process_resident_memory_bytes') }).toEqual({ service, served: true });
      if (service !== 'data') expect({ service, tensors: /^conjugate_tfjs_tensors\{app="[a-z-]+"\} \d+$/m.test(text), bytes: /^conjugate_tfjs_bytes\{/m.test(text) }).toEqual({ service, tensors: true, bytes: true });
    }
    // The run's evaluation went through the attack-service: its counters saw it.
    const handled = (await scrape(addresses.metrics.attack)).split('\n')
      .find((line) => line.startsWith('grpc_server_handled_total{') && line.includes('grpc_method="EvaluateRobustness"') && line.includes('grpc_code="OK"'));
    expect(handled).toMatch(/ [1-9]\d*$/);

    const csv = (await readFile(join(out, 'metrics.csv'), 'utf8')).trim().split('\n');
    expect(csv).toHaveLength(4);
  });
});
