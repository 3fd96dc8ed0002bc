// The dashboard's authentication and the Faro receiver's limits, over a real socket (in-memory bus).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryBus, type EventBus } from '@conjugate/bus';
import { createLogger } from '@conjugate/service-kit';
import { dashboardAuthFromEnv, type DashboardAuth } from './auth';
import { startDashboard, type Dashboard } from './server';

const TOKEN = 'a-token-of-32-characters-or-so!!';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let bus: EventBus;
beforeAll(() => {
  bus = createMemoryBus();
});
afterAll(() => bus.close());

async function withDashboard(options: { auth?: DashboardAuth; faroLimits?: { maxBodyBytes?: number; perMinute?: number } }, body: (d: Dashboard) => Promise<void>) {
  const dashboard = await startDashboard({ bus, logger: createLogger('dashboard-test', { level: 'silent' }), ...options });
  try {
    await body(dashboard);
  } finally {
    await dashboard.close();
  }
}

/** Status of a GET; an SSE response's body is cancelled at once (it never ends). */
async function statusOf(dashboard: Dashboard, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(new URL(path, dashboard.url), { headers });
  await response.body?.cancel();
  return response.status;
}

const PATHS = ['/', '/app.js', '/api/config', '/api/runs', '/api/runs/nope', '/api/events'];

describe('a dashboard with a token', () => {
  it('answers 401 without it on every path, the event stream included, with a Basic challenge and its security headers', async () => {
    await withDashboard({ auth: { kind: 'token', token: TOKEN } }, async (dashboard) => {
      for (const path of PATHS) expect([path, await statusOf(dashboard, path)]).toEqual([path, 401]);
      const response = await fetch(new URL('/api/runs', dashboard.url));
      expect(response.headers.get('www-authenticate')).toContain('Basic realm="conjugate dashboard"');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(await response.json()).toEqual({ error: 'authentication required' });
      expect(await statusOf(dashboard, '/api/events', { authorization: 'Bearer wrong-token-wrong-token' })).toBe(401);
      expect(await statusOf(dashboard, '/api/runs', { authorization: basic('anyone', 'wrong') })).toBe(401);
    });
  });

  it('serves with the token as bearer (scripts) or as Basic password (browsers); /healthz stays open for probes', async () => {
    await withDashboard({ auth: { kind: 'token', token: TOKEN } }, async (dashboard) => {
      expect(await statusOf(dashboard, '/api/runs', { authorization: `Bearer ${TOKEN}` })).toBe(200);
      expect(await statusOf(dashboard, '/api/events', { authorization: `Bearer ${TOKEN}` })).toBe(200);
      expect(await statusOf(dashboard, '/', { authorization: basic('me', TOKEN) })).toBe(200);
      expect(await statusOf(dashboard, '/healthz')).toBe(200);
    });
  });
});

describe('a dashboard with a user and password', () => {
  it('wants both right', async () => {
    await withDashboard({ auth: { kind: 'basic', user: 'ada', password: 'pw-of-ada' } }, async (dashboard) => {
      expect(await statusOf(dashboard, '/api/runs', { authorization: basic('ada', 'pw-of-ada') })).toBe(200);
      expect(await statusOf(dashboard, '/api/runs', { authorization: basic('bob', 'pw-of-ada') })).toBe(401);
      expect(await statusOf(dashboard, '/api/events', { authorization: basic('ada', 'nope') })).toBe(401);
    });
  });
});

describe('a dashboard behind an auth proxy', () => {
  it('serves requests that carry the proxy header, 401 (no challenge) for the rest', async () => {
    await withDashboard({ auth: { kind: 'proxy-header', header: 'X-Auth-Request-User' } }, async (dashboard) => {
      expect(await statusOf(dashboard, '/api/events', { 'x-auth-request-user': 'ada@example.org' })).toBe(200);
      const response = await fetch(new URL('/api/runs', dashboard.url));
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBeNull();
    });
  });
});

describe('the Faro receiver', () => {
  const post = (dashboard: Dashboard, body: string) =>
    fetch(new URL('/faro/collect', dashboard.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('answers 413 for a payload over the size limit', async () => {
    await withDashboard({ faroLimits: { maxBodyBytes: 2048 } }, async (dashboard) => {
      expect((await post(dashboard, JSON.stringify({ meta: {}, logs: [] }))).status).toBe(202);
      const big = await post(dashboard, JSON.stringify({ meta: {}, logs: [{ message: 'x'.repeat(4096) }] }));
      expect(big.status).toBe(413);
      expect(dashboard.faroCounts().payloads).toBe(1);
    });
  });

  it('answers 429 beyond its payloads per minute', async () => {
    await withDashboard({ faroLimits: { perMinute: 2 } }, async (dashboard) => {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await post(dashboard, JSON.stringify({ meta: {}, events: [] }))).status);
      expect(statuses).toEqual([202, 202, 429]);
      expect(dashboard.faroCounts().payloads).toBe(2);
    });
  });
});

describe('dashboard auth from the environment', () => {
  it('reads a token (or its Secret file), a user and password, or a proxy header', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-auth-'));
    try {
      writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
      expect(dashboardAuthFromEnv({})).toBeUndefined();
      expect(dashboardAuthFromEnv({ DASHBOARD_TOKEN: TOKEN })).toEqual({ kind: 'token', token: TOKEN });
      expect(dashboardAuthFromEnv({ DASHBOARD_TOKEN_FILE: join(dir, 'token') })).toEqual({ kind: 'token', token: TOKEN });
      expect(dashboardAuthFromEnv({ DASHBOARD_USER: 'ada', DASHBOARD_PASSWORD: 'pw' })).toEqual({ kind: 'basic', user: 'ada', password: 'pw' });
      expect(dashboardAuthFromEnv({ DASHBOARD_TRUST_PROXY_HEADER: 'X-Forwarded-User' })).toEqual({ kind: 'proxy-header', header: 'X-Forwarded-User' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a short token, half a user/password, several kinds, a missing Secret file', () => {
    expect(() => dashboardAuthFromEnv({ DASHBOARD_TOKEN: 'short' })).toThrow(/DASHBOARD_TOKEN: at least 16 characters/);
    expect(() => dashboardAuthFromEnv({ DASHBOARD_USER: 'ada' })).toThrow(/DASHBOARD_USER and DASHBOARD_PASSWORD/);
    expect(() => dashboardAuthFromEnv({ DASHBOARD_TOKEN: TOKEN, DASHBOARD_TRUST_PROXY_HEADER: 'X-User' })).toThrow(/set one of/);
    expect(() => dashboardAuthFromEnv({ DASHBOARD_TOKEN_FILE: '/nonexistent/token' })).toThrow(/DASHBOARD_TOKEN_FILE: cannot read/);
    expect(() => dashboardAuthFromEnv({ DASHBOARD_TRUST_PROXY_HEADER: 'X User' })).toThrow(/a header name expected/);
  });
});
