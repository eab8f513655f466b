import type { Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import { bearer } from './http.js';
import type { TestServerCounters, TestServerKnobs } from './types.js';

interface Deps {
  schema: GraphQLSchema;
  knobs: TestServerKnobs;
  counters: TestServerCounters;
  now: () => number;
  auth: (token: string | null) => Promise<{ user: string; exp: number | undefined } | null>;
}

/** Longest delay `setTimeout` honours; a larger one would fire at once. */
const MAX_DELAY = 2_147_483_647;

/** graphql-ws on `path` of an existing HTTP server, authenticating `connection_init`. */
export function attachWs(http: Server, path: string, d: Deps) {
  const wss = new WebSocketServer({ server: http, path });
  const users = new Map<WebSocket, { user: string; exp: number | undefined }>();
  const expiry = new Map<WebSocket, ReturnType<typeof setTimeout>>();

  wss.on('connection', (socket) => {
    // Record every close code the server starts, whoever triggers it (graphql-ws or us); ws also
    // calls close() to echo a client's close frame, which `_closeFrameReceived` (ws 8) tells apart.
    const close = socket.close.bind(socket);
    const echo = socket as unknown as { _closeFrameReceived?: boolean };
    socket.close = (code?: number, reason?: string | Buffer) => {
      if (socket.readyState === socket.OPEN && code !== undefined && !echo._closeFrameReceived)
        d.counters.wsCloses.push(code);
      close(code, reason);
    };
    socket.once('close', () => {
      clearTimeout(expiry.get(socket));
      expiry.delete(socket);
      users.delete(socket);
    });
  });

  const disposable = useServer(
    {
      schema: d.schema,
      context: (ctx) => ({ user: users.get(ctx.extra.socket)?.user ?? null }),
      onConnect: async (ctx) => {
        const p = ctx.connectionParams;
        const token = bearer(p?.authorization ?? p?.Authorization);
        const mode = d.knobs.ws.connect;
        const v = mode === 'reject-all' ? null : await d.auth(token);
        d.counters.wsConnections.push({ token, accepted: v !== null });
        const socket = ctx.extra.socket;
        if (!v) {
          if (mode === 'verify-4401') socket.close(4401, 'Unauthorized');
          return false; // graphql-ws closes 4403 (a no-op after our 4401)
        }
        users.set(socket, v);
        if (d.knobs.ws.closeAtExpiry && v.exp !== undefined) {
          const ms = Math.max(0, v.exp * 1000 - d.now());
          if (ms <= MAX_DELAY)
            expiry.set(
              socket,
              setTimeout(() => socket.close(4403, 'Token expired'), ms),
            );
        }
        return true;
      },
    },
    wss,
  );

  return {
    closeAll(code: number, reason?: string) {
      for (const s of wss.clients) s.close(code, reason);
    },
    /** Closes (4403) each accepted socket whose token expired by the server clock. */
    closeExpired() {
      let n = 0;
      for (const [s, { exp }] of users)
        if (exp !== undefined && exp * 1000 <= d.now() && s.readyState === s.OPEN) {
          s.close(4403, 'Token expired');
          n++;
        }
      return n;
    },
    async close() {
      for (const t of expiry.values()) clearTimeout(t);
      expiry.clear();
      for (const s of wss.clients) s.terminate();
      await disposable.dispose();
    },
  };
}
