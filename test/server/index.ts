import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { graphqlRoute } from './graphql-route.js';
import { readJson, send } from './http.js';
import { createJwt } from './jwt.js';
import { refreshRoute, setCookie } from './refresh-route.js';
import { createSchema } from './schema.js';
import { createSessions } from './sessions.js';
import type { State } from './state.js';
import type {
  TestServer,
  TestServerCounters,
  TestServerKnobs,
  TestServerOptions,
} from './types.js';
import { attachWs } from './ws.js';

export { REFRESH_COOKIE } from './refresh-route.js';
export type * from './types.js';

// A page on another origin may call us, with cookies (credentials) for the cookie refresh flow.
const CORS = {
  'access-control-allow-headers': 'authorization, content-type',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-max-age': '600',
};

const zero = (): TestServerCounters => ({
  requests: 0,
  unauthorized: 0,
  refreshes: 0,
  refreshesInFlight: 0,
  maxConcurrentRefreshes: 0,
  reuseDetections: 0,
  requestTokens: [],
  requestVariables: [],
  refreshTokensSeen: [],
  wsConnections: [],
  wsCloses: [],
});

/** Starts the test server on 127.0.0.1 and a free port. See `types.ts` for the contract. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const now = options.now ?? Date.now;
  const ttl = options.accessTtlMs ?? 60_000;
  const rotate = options.rotateRefreshTokens ?? false;
  const jwt = createJwt(now);
  const sessions = createSessions();
  const schema = createSchema();
  const revoked = new Set<string>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const sockets = new Set<Socket>();
  let closed = false;
  let down = false; // killed or closed: no new timers

  const knobs: TestServerKnobs = {
    unauthenticatedAs: options.unauthenticatedAs ?? '200',
    refresh: 'ok',
    refreshLatencyMs: options.refreshLatencyMs ?? 0,
    rejectAllTokens: false,
    graphqlLatencyMs: 0,
    graphql502: 0,
    graphqlDrop: 0,
    ws: { connect: 'verify', closeAtExpiry: false },
  };
  const counters = zero();

  // Resolves after `ms` of real time; never once the server is down (its sockets are gone).
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (down) return;
      if (ms <= 0) return resolve();
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const auth = async (token: string | null) =>
    token === null || knobs.rejectAllTokens || revoked.has(token) ? null : jwt.verify(token);

  const st: State = { ttl, rotate, jwt, sessions, schema, knobs, counters, wait, auth };

  const login = async (user = 'alice') => ({
    accessToken: await jwt.sign(user, ttl),
    refreshToken: sessions.open(user),
  });

  const http = createServer({ keepAlive: true }, async (req, res) => {
    for (const [k, v] of Object.entries(CORS)) res.setHeader(k, v);
    const from = req.headers.origin;
    res.setHeader('access-control-allow-origin', from ?? '*');
    if (from) res.setHeader('access-control-allow-credentials', 'true');
    res.setHeader('vary', 'origin');
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method === 'OPTIONS') {
        res.writeHead(204).end();
      } else if (req.method !== 'POST') {
        send(res, req.method === 'GET' && path === '/health' ? 200 : 404, {
          ok: path === '/health',
        });
      } else if (path === '/graphql') {
        await graphqlRoute(st, req, res);
      } else if (path === '/refresh') {
        await refreshRoute(st, req, res);
      } else if (path === '/login') {
        const body = await readJson(req);
        const tokens = await login(typeof body?.user === 'string' ? body.user : undefined);
        send(res, 200, tokens, undefined, setCookie(tokens.refreshToken));
      } else {
        send(res, 404, { error: 'not_found' });
      }
    } catch {
      send(res, 500, { error: 'server_error' });
    }
  });
  http.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });

  const ws = attachWs(http, '/graphql', { schema, knobs, counters, now, auth });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, '127.0.0.1', () => {
        http.off('error', reject);
        resolve();
      });
    });
  await listen(options.port ?? 0);
  const port = (http.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  // Stops listening, drops every socket and pending timer; state (tokens, counters) survives.
  const stop = async () => {
    down = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    const done = new Promise<void>((resolve) => http.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await done;
  };

  return {
    origin,
    url: `${origin}/graphql`,
    wsUrl: `${origin.replace('http', 'ws')}/graphql`,
    refreshUrl: `${origin}/refresh`,
    loginUrl: `${origin}/login`,
    knobs,
    counters,
    login,
    signAccessToken: (o = {}) => jwt.sign(o.user ?? 'alice', o.ttlMs ?? ttl),
    revokeAccessToken: (t) => void revoked.add(t),
    revokeRefreshToken: (t) => sessions.revoke(t),
    closeWsConnections: (code, reason) => ws.closeAll(code, reason),
    closeExpiredWsConnections: () => ws.closeExpired(),
    async kill() {
      if (!down) await stop();
    },
    async revive() {
      if (closed || !down) return;
      await listen(port);
      down = false;
    },
    resetCounters() {
      // In place: tests may hold `server.counters`. A gauge of live requests stays true.
      const inFlight = counters.refreshesInFlight;
      Object.assign(counters, zero(), {
        refreshesInFlight: inFlight,
        maxConcurrentRefreshes: inFlight,
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await ws.close();
      if (!down) await stop();
    },
  };
}
