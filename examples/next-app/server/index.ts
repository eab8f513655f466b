/**
 * The example's API server: GraphQL over HTTP and graphql-ws, plus the cookie-based auth
 * endpoints, in one small Node process. Next.js route handlers cannot host a WebSocket server,
 * and the auth state (sessions, refresh-token families) must live where tokens are verified and
 * sockets are closed on revocation. Next.js forwards `/api/auth/*` and `/graphql` here
 * (proxy.ts), so the browser sees one origin; the WebSocket connects to this port directly.
 *
 * Settings: server/config.ts.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createAuth } from './auth';
import { createAuthRoutes } from './auth-routes';
import { config } from './config';
import { createGraphqlRoute } from './graphql-http';
import { BadRequest, readJson, send } from './http';
import { createRoot } from './schema';
import { createWsServer } from './ws';

/** How often ended sessions are dropped from memory. */
const PRUNE_INTERVAL_MS = 60_000;

let ws: ReturnType<typeof createWsServer> | undefined;
const auth = createAuth({
  accessTtlMs: config.accessTtlMs,
  sessionTtlMs: config.sessionTtlMs,
  reuseGraceMs: config.reuseGraceMs,
  secret: config.jwtSecret ? new TextEncoder().encode(config.jwtSecret) : randomBytes(32),
  onRevoke: (sessionId) => ws?.closeSession(sessionId),
  log: config.logAuth ? (message) => console.log(`[auth] ${message}`) : undefined,
});
const root = createRoot();
const authRoutes = createAuthRoutes(auth, config);
const graphqlRoute = createGraphqlRoute(auth, root);

/** Development and tests only (TEST_ENDPOINTS=1): what the e2e counts, and admin actions. */
async function testRoute(path: string, req: IncomingMessage, res: ServerResponse) {
  if (path === '/__test/counters') return send(res, 200, auth.counters);
  if (path === '/__test/sizes') return send(res, 200, auth.sizes());
  if (req.method !== 'POST') return send(res, 404, { error: 'not_found' });
  if (path === '/__test/reset') {
    auth.resetCounters();
    return send(res, 204);
  }
  if (path === '/__test/revoke') {
    const { user } = await readJson(req);
    return send(res, 200, { revoked: auth.revokeUser(String(user)) });
  }
  send(res, 404, { error: 'not_found' });
}

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const handled = (async () => {
    if (await authRoutes(req, res, path)) return;
    if (path === '/graphql' && req.method === 'POST') return graphqlRoute(req, res);
    if (path === '/healthz') return send(res, 200, { ok: true });
    if (config.testEndpoints && path.startsWith('/__test/')) return testRoute(path, req, res);
    send(res, 404, { error: 'not_found' });
  })();
  handled.catch((error: unknown) => {
    if (res.headersSent) return void res.end();
    if (error instanceof BadRequest) return send(res, 400, { error: 'bad_request' });
    console.error('[api] request failed:', error instanceof Error ? error.name : typeof error);
    send(res, 500, { error: 'internal' });
  });
});

// The Next.js proxy keeps idle sockets to us for up to 5 s, as long as Node's default
// keep-alive timeout here: when we close one just as it is reused, the proxied request fails with
// ECONNRESET (seen in CI as a failed query). Keep ours open longer so the proxy always closes first.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

ws = createWsServer(server, auth, root);
const pruning = setInterval(() => auth.prune(), PRUNE_INTERVAL_MS);
pruning.unref();

server.listen(config.port, config.host, () => {
  console.log(`[api] http://${config.host}:${config.port} (graphql, graphql-ws, /api/auth/*)`);
});

const stop = () => {
  clearInterval(pruning);
  ws?.close();
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
