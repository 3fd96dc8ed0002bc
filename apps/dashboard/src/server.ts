// The dashboard server: follows the bus (replay, then live; resubscribes after failures from the last
// sequence it has), keeps the history, serves the page, REST, server-sent events, a Faro receiver and
// the paper's figures of a run (drawn from the training-service's record).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyReply } from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { EventBus } from '@conjugate/bus';
import type { TrainingClient } from '@conjugate/clients';
import { createLogger, type Logger } from '@conjugate/service-kit';
import { AUTH_REALM, isAuthorized, type DashboardAuth } from './auth';
import { toDashboardEvent } from './event-views';
import { FaroCollector, type FaroCounts } from './faro-collector';
import { loadPageAssets } from './page-assets';
import { RunHistory, type LoggedEvent } from './run-history';
import { runFigure } from './run-figures';
import type { PageConfig } from './view/events';

export const OWN_FARO_PATH = '/faro/collect';

export interface DashboardOptions {
  /** Where run events come from (NATS, or the in-memory bus in embedded mode). */
  bus: EventBus;
  /** Bind address. Default 127.0.0.1 (set 0.0.0.0 in a container). */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Faro collector URL for the page; default this server's own receiver (/faro/collect). */
  faroUrl?: string;
  logger?: Logger;
  /** SSE comment lines that keep idle connections open through proxies. Default 15 s. */
  heartbeatMs?: number;
  /** Wait before resubscribing after the bus subscription fails. Default 1 s. */
  resubscribeDelayMs?: number;
  /** Who may see it (see auth.ts); undefined: anyone who reaches the port. /healthz is always open (probes). */
  auth?: DashboardAuth;
  /** The built-in Faro receiver's limits: payload bytes (413 beyond) and payloads per minute per client address (429 beyond). */
  faroLimits?: { maxBodyBytes?: number; perMinute?: number };
  /** The training-service, whose run records the paper's figures are drawn from (/api/runs/:id/figures/…). */
  training?: TrainingClient;
}

export const DEFAULT_FARO_LIMITS = { maxBodyBytes: 64 * 1024, perMinute: 120 };

export interface Dashboard {
  url: string;
  /** What the built-in Faro receiver has counted so far. */
  faroCounts(): FaroCounts;
  close(): Promise<void>;
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const logger = options.logger ?? createLogger('dashboard');
  const faroUrl = options.faroUrl || OWN_FARO_PATH;
  const faroOrigin = externalOrigin(faroUrl);
  const assets = await loadPageAssets();
  const history = new RunHistory();
  const faro = new FaroCollector();
  const stopping = new AbortController();
  const openStreams = new Set<ServerResponse>();

  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", ...(faroOrigin ? [faroOrigin] : [])],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    // Plain http on a laptop is the common case; TLS is the ingress's job.
    strictTransportSecurity: false,
  });

  // After helmet's hook: a 401 carries the same security headers as every other response.
  const auth = options.auth;
  if (auth) {
    app.addHook('onRequest', async (request, reply) => {
      if (request.url.split('?')[0] === '/healthz' || isAuthorized(request.headers, auth)) return;
      if (auth.kind !== 'proxy-header') reply.header('www-authenticate', `Basic realm="${AUTH_REALM}", charset="UTF-8"`);
      await reply.code(401).send({ error: auth.kind === 'proxy-header' ? 'not signed in (no identity from the auth proxy)' : 'authentication required' });
    });
  }
  // Only routes that ask for it are rate-limited (the Faro receiver: anyone with the page can post to it).
  await app.register(rateLimit, { global: false });
  const faroLimits = { ...DEFAULT_FARO_LIMITS, ...options.faroLimits };

  app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(assets.html));
  app.get('/app.js', (_request, reply) => reply.type('text/javascript; charset=utf-8').send(assets.script));
  app.get('/app.js.map', (_request, reply) => reply.type('application/json; charset=utf-8').send(assets.sourceMap));
  app.get('/style.css', (_request, reply) => reply.type('text/css; charset=utf-8').send(assets.css));
  app.get('/favicon.svg', (_request, reply) => reply.type('image/svg+xml').send(assets.favicon));
  app.get('/healthz', () => ({ ok: true, lastSeq: history.lastSeq }));

  const pageConfig: PageConfig = { faroUrl, appName: 'conjugate-dashboard', appVersion: '0.1.0', figures: options.training !== undefined };
  app.get('/api/config', () => pageConfig);
  app.get('/api/runs', () => ({ runs: history.list() }));
  app.get<{ Params: { runId: string } }>('/api/runs/:runId', (request, reply) => {
    const run = history.run(request.params.runId);
    if (!run) return reply.code(404).send({ error: `run ${JSON.stringify(request.params.runId)} not found` });
    return run;
  });

  app.get<{ Params: { runId: string; file: string } }>('/api/runs/:runId/figures/:file', async (request, reply) => {
    const answer = await runFigure(options.training, request.params.runId, request.params.file.replace(/\.svg$/, ''));
    if ('svg' in answer) return reply.type('image/svg+xml').send(answer.svg);
    return reply.code(answer.status).send({ error: answer.error });
  });

  app.get<{ Querystring: { after?: string } }>('/api/events', (request, reply) => {
    const resumeFrom = request.headers['last-event-id'] ?? request.query.after ?? '0';
    const after = Number(resumeFrom);
    if (!Number.isSafeInteger(after) || after < 0) {
      return reply.code(400).send({ error: `Last-Event-ID / after must be a non-negative integer, got ${JSON.stringify(resumeFrom)}` });
    }
    streamEvents(request.raw, reply, after);
  });

  const faroRoute = { bodyLimit: faroLimits.maxBodyBytes, config: { rateLimit: { max: faroLimits.perMinute, timeWindow: 60_000 } } };
  app.post(OWN_FARO_PATH, faroRoute, (request, reply) => {
    try {
      const counts = faro.accept(request.body);
      logger.debug({ faro: counts }, 'faro payload');
      return reply.code(202).send({ accepted: true });
    } catch (error) {
      return reply.code(400).send({ error: (error as Error).message });
    }
  });

  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) logger.error({ err: error }, 'request failed');
    reply.code(status).send({ error: status === 500 ? 'internal error' : error.message });
  });

  function streamEvents(request: IncomingMessage, reply: FastifyReply, after: number): void {
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // Backlog and live listener in one tick: nothing falls between them.
    const backlog = [...history.since(after), ...history.currentProgress()];
    response.write(`retry: 1000\n\n${backlog.map(sseFrame).join('')}`);
    // After a server restart the history is replayed from the bus: skip what this browser already has.
    const stopListening = history.listen((entry) => {
      if (entry.seq === 0 || entry.seq > after) response.write(sseFrame(entry));
    });
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), options.heartbeatMs ?? 15_000);
    heartbeat.unref();
    openStreams.add(response);
    const cleanUp = () => {
      stopListening();
      clearInterval(heartbeat);
      openStreams.delete(response);
    };
    request.on('close', cleanUp);
    response.on('error', cleanUp);
  }

  const following = follow(options.bus, history, logger, stopping.signal, options.resubscribeDelayMs ?? 1000);
  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}/`;
  logger.info({ url, faroUrl }, 'dashboard listening');

  return {
    url,
    faroCounts: () => faro.counts,
    async close() {
      stopping.abort();
      for (const response of openStreams) response.end();
      await app.close();
      await following;
    },
  };
}

/** Stored events carry an SSE id (their bus sequence), so a reconnecting EventSource resumes after it. */
function sseFrame(entry: LoggedEvent): string {
  return entry.seq === 0 ? `data: ${entry.json}\n\n` : `id: ${entry.seq}\ndata: ${entry.json}\n\n`;
}

/** Replay then live; after any failure, resubscribe from the last stored sequence (backing off to 30 s
 *  while it keeps failing, back to `retryMs` once events flow again). */
async function follow(bus: EventBus, history: RunHistory, logger: Logger, signal: AbortSignal, retryMs: number) {
  let wait = retryMs;
  while (!signal.aborted) {
    try {
      const subscription = bus.subscribe({ replay: true, afterSeq: history.lastSeq, signal });
      for await (const message of subscription) {
        wait = retryMs;
        try {
          history.add(toDashboardEvent(message));
        } catch (error) {
          logger.warn({ seq: message.seq, err: error }, 'skipping an event the dashboard cannot show');
        }
      }
    } catch (error) {
      logger.warn({ err: error, lastSeq: history.lastSeq }, 'bus subscription failed; resubscribing');
    }
    if (!signal.aborted) await sleep(wait, undefined, { signal }).catch(() => undefined);
    wait = Math.min(wait * 2, 30_000);
  }
}

/** The origin the CSP must allow for an absolute collector URL; undefined for a path on this server. */
function externalOrigin(faroUrl: string): string | undefined {
  if (faroUrl.startsWith('/')) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(faroUrl);
  } catch {
    throw new Error(`FARO_URL ${JSON.stringify(faroUrl)} is neither an absolute http(s) URL nor a path on this server`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`FARO_URL ${JSON.stringify(faroUrl)} must use http or https`);
  }
  return parsed.origin;
}
