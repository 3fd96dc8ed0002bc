// The server with the in-memory bus (the embedded mode), over a real socket; no browser.
import { createMemoryBus, type EventBus } from '@conjugate/bus';
import { createLogger } from '@conjugate/service-kit';
import { sampleEpoch, sampleStatus } from './sample-events';
import { startDashboard, type Dashboard } from './server';

let bus: EventBus;
let dashboard: Dashboard;

beforeAll(async () => {
  bus = createMemoryBus();
  dashboard = await startDashboard({ bus, logger: createLogger('dashboard-test', { level: 'silent' }) });
});

afterAll(async () => {
  await dashboard.close();
  await bus.close();
});

const get = (path: string) => fetch(new URL(path, dashboard.url));

describe('dashboard server on the in-memory bus', () => {
  it('lists runs and returns one run’s history from the events', async () => {
    await bus.publishStatus(sampleStatus('mem-run', 'embedded'));
    await bus.publishEpoch(sampleEpoch('mem-run', 0, { withMaps: false }));
    await bus.publishEpoch(sampleEpoch('mem-run', 1, { withMaps: false }));
    let runs: { runId: string; name: string; epochsDone: number }[] = [];
    while (runs[0]?.epochsDone !== 1) {
      runs = ((await (await get('/api/runs')).json()) as { runs: typeof runs }).runs;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(runs).toEqual([expect.objectContaining({ runId: 'mem-run', name: 'embedded', state: 'running', epochsPlanned: 10 })]);
    const run = (await (await get('/api/runs/mem-run')).json()) as { epochs: { epoch: number; robustFeature: unknown }[] };
    expect(run.epochs.map((e) => e.epoch)).toEqual([0, 1]);
    expect(run.epochs[0].robustFeature).toEqual({ value: null, missingReason: 'attack-service unreachable' });
  });

  it('answers bad input with a 4xx naming the problem, and keeps serving', async () => {
    const badResume = await get('/api/events?after=-1');
    expect([badResume.status, await badResume.json()]).toEqual([400, { error: 'Last-Event-ID / after must be a non-negative integer, got "-1"' }]);
    const post = (body: string) => fetch(new URL('/faro/collect', dashboard.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const notJson = await post('{"meta": ');
    expect(notJson.status).toBe(400);
    const notFaro = await post('[1, 2]');
    expect([notFaro.status, await notFaro.json()]).toEqual([400, { error: expect.stringContaining('body must be a Faro payload object') }]);
    const good = await post(JSON.stringify({ meta: {}, events: [{ name: 'run_selected' }] }));
    expect(good.status).toBe(202);
    expect(dashboard.faroCounts().eventNames).toEqual({ run_selected: 1 });
    expect((await get('/healthz')).status).toBe(200);
  });

  it('refuses a FARO_URL that is neither http(s) nor a path', async () => {
    await expect(startDashboard({ bus, faroUrl: 'javascript:alert(1)' })).rejects.toThrow('FARO_URL "javascript:alert(1)" must use http or https');
  });
});
