// Who may see the dashboard: nobody is asked by default (a laptop on loopback); in a cluster one of
//  - a token: `Authorization: Bearer <token>` (scripts), or Basic auth with the token as password
//    (a browser asks for it: EventSource cannot send a bearer header, but it sends Basic credentials);
//  - a user and password (Basic auth);
//  - an upstream auth proxy (oauth2-proxy …): a request must carry the header the proxy sets, e.g.
//    X-Forwarded-User (oauth2-proxy as reverse proxy) or X-Auth-Request-User (ingress-nginx auth_request).
//    Only safe when nothing but the proxy can reach the dashboard (NetworkPolicy): anyone else could set it.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';

export type DashboardAuth =
  | { kind: 'token'; token: string }
  | { kind: 'basic'; user: string; password: string }
  | { kind: 'proxy-header'; header: string };

export const AUTH_REALM = 'conjugate dashboard';

/** Constant-time: the comparison does not tell how many leading characters were right. */
function same(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function basicCredentials(authorization: string): { user: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Whether a request with these headers may be served. */
export function isAuthorized(headers: IncomingHttpHeaders, auth: DashboardAuth | undefined): boolean {
  if (!auth) return true;
  if (auth.kind === 'proxy-header') {
    const value = headers[auth.header.toLowerCase()];
    return typeof value === 'string' && value.trim() !== '';
  }
  const authorization = headers.authorization ?? '';
  const basic = basicCredentials(authorization);
  if (auth.kind === 'basic') {
    if (!basic) return false;
    const userMatches = same(basic.user, auth.user); // both compared, always
    const passwordMatches = same(basic.password, auth.password);
    return userMatches && passwordMatches;
  }
  const given = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] ?? basic?.password;
  return given !== undefined && same(given, auth.token);
}

type Env = Record<string, string | undefined>;
const set = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

function readSecret(file: string, name: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new Error(`${name}: cannot read ${file}: ${(error as Error).message}`);
  }
}

/**
 * DASHBOARD_TOKEN (or DASHBOARD_TOKEN_FILE, a mounted Secret), DASHBOARD_USER + DASHBOARD_PASSWORD
 * (or DASHBOARD_PASSWORD_FILE), or DASHBOARD_TRUST_PROXY_HEADER; at most one. None: no authentication.
 */
export function dashboardAuthFromEnv(env: Env = process.env): DashboardAuth | undefined {
  const tokenFile = set(env.DASHBOARD_TOKEN_FILE);
  const token = set(env.DASHBOARD_TOKEN) ?? (tokenFile && readSecret(tokenFile, 'DASHBOARD_TOKEN_FILE'));
  const passwordFile = set(env.DASHBOARD_PASSWORD_FILE);
  const user = set(env.DASHBOARD_USER);
  const password = set(env.DASHBOARD_PASSWORD) ?? (passwordFile && readSecret(passwordFile, 'DASHBOARD_PASSWORD_FILE'));
  const header = set(env.DASHBOARD_TRUST_PROXY_HEADER);
  const chosen = [token !== undefined, user !== undefined || password !== undefined, header !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new Error('dashboard auth: set one of DASHBOARD_TOKEN, DASHBOARD_USER/DASHBOARD_PASSWORD or DASHBOARD_TRUST_PROXY_HEADER');
  if (token !== undefined) {
    if (token.length < 16) throw new Error('DASHBOARD_TOKEN: at least 16 characters (e.g. `openssl rand -hex 32`)');
    return { kind: 'token', token };
  }
  if (user !== undefined || password !== undefined) {
    if (user === undefined || password === undefined) throw new Error('dashboard auth: DASHBOARD_USER and DASHBOARD_PASSWORD must be set together');
    return { kind: 'basic', user, password };
  }
  if (header !== undefined) {
    if (!/^[A-Za-z0-9-]+$/.test(header)) throw new Error(`DASHBOARD_TRUST_PROXY_HEADER: a header name expected (got ${JSON.stringify(header)})`);
    return { kind: 'proxy-header', header };
  }
  return undefined;
}
