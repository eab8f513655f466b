/**
 * The example's API server: GraphQL over HTTP and graphql-ws, plus the cookie-based auth
 * endpoints, in one small Node process. Next.js route handlers cannot host a WebSocket server,
 * and the auth state (sessions, refresh-token families) must live where tokens are verified and
 * sockets are closed on revocation. Next.js rewrites `/api/auth/*` and `/graphql` here, so the
 * browser sees one origin; the WebSocket connects to this port directly.
 *
 * Env: API_PORT (4000), API_HOST (127.0.0.1), ACCESS_TTL_MS (20000), REFRESH_TTL_MS (1 day),
 * REFRESH_REUSE_GRACE_MS (5000), JWT_SECRET (random per start), COOKIE_SECURE=1 (behind https), TEST_ENDPOINTS=1 (/__test/*).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { graphql } from 'graphql';
import { CloseCode } from 'graphql-ws';
// Aliased: graphql-ws's `useServer` is no React hook.
import { useServer as serveWs } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import { createAuth, type Issued } from './auth';
import { createRoot, schema } from './schema';

const env = process.env;
const port = Number(env.API_PORT ?? 4000);
const host = env.API_HOST ?? '127.0.0.1';
const accessTtlMs = Number(env.ACCESS_TTL_MS ?? 20_000);
const refreshTtlMs = Number(env.REFRESH_TTL_MS ?? 86_400_000);
const reuseGraceMs = Number(env.REFRESH_REUSE_GRACE_MS ?? 5_000);
const secure = env.COOKIE_SECURE === '1';
const testEndpoints = env.TEST_ENDPOINTS === '1';
const DEMO_PASSWORD = 'demo';

/** Open sockets per session, so a revocation closes them at once. */
const sockets = new Map<WebSocket, { sessionId: string; timer: NodeJS.Timeout }>();
const auth = createAuth({
  accessTtlMs,
  refreshTtlMs,
  reuseGraceMs,
  secret: env.JWT_SECRET ? new TextEncoder().encode(env.JWT_SECRET) : randomBytes(32),
  onRevoke: (sessionId) => {
    for (const [socket, s] of sockets)
      if (s.sessionId === sessionId) socket.close(CloseCode.Forbidden, 'Session revoked');
  },
});
const root = createRoot();

// The refresh token is readable by no script (httpOnly), sent to no other site (SameSite=Strict)
// and to no other path than the auth endpoints (Path). The access token cookie exists only so
// server rendering can act for the user (the client sends the token in `authorization`); it lives
// as long as the session, so an expired one still tells SSR "signed in, let the browser refresh".
function cookie(name: string, value: string, path: string, maxAgeMs: number): string {
  const age = Math.max(0, Math.floor(maxAgeMs / 1000));
  return `${name}=${value}; Path=${path}; Max-Age=${age}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
const sessionCookies = (t: Issued) => [
  cookie('rt', t.refreshToken, '/api/auth', refreshTtlMs),
  cookie('at', t.accessToken, '/', refreshTtlMs),
];
const clearCookies = [cookie('rt', '', '/api/auth', 0), cookie('at', '', '/', 0)];

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of req.headers.cookie?.split(';') ?? []) {
    const [k, v] = part.trim().split('=');
    if (k === name && v) return v;
  }
  return undefined;
}

function send(res: ServerResponse, status: number, body?: unknown, cookies?: string[]) {
  if (cookies) res.setHeader('set-cookie', cookies);
  res.setHeader('cache-control', 'no-store');
  if (body === undefined) return void res.writeHead(status).end();
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let raw = '';
  for await (const chunk of req) {
    raw += chunk;
    if (raw.length > 100_000) throw new Error('body too large');
  }
  const value: unknown = raw ? JSON.parse(raw) : {};
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

const bearer = (h: unknown) =>
  typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7) : undefined;

const tokenBody = (t: Issued) => ({ accessToken: t.accessToken, expiresAt: t.expiresAt });

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const post = req.method === 'POST';

  if (post && path === '/api/auth/login') {
    const { username, password } = await readJson(req);
    if (typeof username !== 'string' || !/^\w{1,32}$/.test(username) || password !== DEMO_PASSWORD)
      return send(res, 401, { error: 'invalid_credentials' });
    const t = await auth.login(username);
    return send(res, 200, { ...tokenBody(t), user: username }, sessionCookies(t));
  }
  if (post && path === '/api/auth/refresh') {
    const t = await auth.refresh(readCookie(req, 'rt'));
    if (!t) return send(res, 401, { error: 'invalid_grant' }, clearCookies);
    return send(res, 200, tokenBody(t), sessionCookies(t));
  }
  if (post && path === '/api/auth/logout') {
    auth.logout(readCookie(req, 'rt'));
    return send(res, 204, undefined, clearCookies);
  }
  if (post && path === '/graphql') {
    const { query, variables, operationName } = await readJson(req);
    auth.counters.graphqlRequests++;
    const who = await auth.verify(bearer(req.headers.authorization));
    if (!who) {
      auth.counters.unauthenticated++;
      return send(res, 200, {
        errors: [{ message: 'Not authenticated', extensions: { code: 'UNAUTHENTICATED' } }],
      });
    }
    if (typeof query !== 'string') return send(res, 400, { errors: [{ message: 'No query' }] });
    const result = await graphql({
      schema,
      source: query,
      rootValue: root,
      contextValue: { user: who.user },
      variableValues: (variables as Record<string, unknown> | undefined) ?? null,
      operationName: typeof operationName === 'string' ? operationName : null,
    });
    return send(res, 200, result);
  }
  if (path === '/healthz') return send(res, 200, { ok: true });

  // Dev/test only: what the e2e tests count and the "server revokes the session" switch.
  if (testEndpoints && path === '/__test/counters') return send(res, 200, auth.counters);
  if (testEndpoints && post && path === '/__test/reset') {
    auth.resetCounters();
    return send(res, 204);
  }
  if (testEndpoints && post && path === '/__test/revoke') {
    const { user } = await readJson(req);
    return send(res, 200, { revoked: auth.revokeUser(String(user)) });
  }
  send(res, 404, { error: 'not_found' });
}

const server = createServer((req, res) => {
  route(req, res).catch(() => {
    if (!res.headersSent) send(res, 400, { error: 'bad_request' });
    else res.end();
  });
});

// The Next.js proxy (rewrites) keeps idle sockets to us for up to 5 s, as long as Node's default
// keep-alive timeout here: when we close one just as it is reused, the proxied request fails with
// ECONNRESET (seen in CI as a failed query). Keep ours open longer so the proxy always closes first.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

const wss = new WebSocketServer({ server, path: '/graphql' });
serveWs<Record<string, unknown>, { user?: string }>(
  {
    schema,
    roots: { query: root, mutation: root, subscription: root },
    context: (ctx) => ({ user: ctx.extra.user }),
    onConnect: async (ctx) => {
      auth.counters.wsConnections++;
      const who = await auth.verify(bearer(ctx.connectionParams?.authorization));
      if (!who) {
        auth.counters.wsRejected++;
        return false; // graphql-ws closes with 4403 Forbidden
      }
      ctx.extra.user = who.user;
      const socket = ctx.extra.socket;
      // A socket may not outlive its token: the client is expected to reconnect with a new one.
      const timer = setTimeout(
        () => socket.close(CloseCode.Unauthorized, 'Token expired'),
        who.expiresAt - Date.now(),
      );
      sockets.set(socket, { sessionId: who.sessionId, timer });
      socket.once('close', () => {
        clearTimeout(timer);
        sockets.delete(socket);
      });
      return true;
    },
  },
  wss,
);

server.listen(port, host, () => {
  console.log(`API on http://${host}:${port} (graphql, graphql-ws, /api/auth/*)`);
});

const stop = () => {
  for (const socket of sockets.keys()) socket.terminate();
  wss.close();
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
