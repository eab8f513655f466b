import type { Server } from 'node:http';
import { CloseCode } from 'graphql-ws';
// Aliased: graphql-ws's `useServer` is no React hook.
import { useServer as serveWs } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Auth } from './auth';
import { bearer } from './http';
import { type createRoot, schema } from './schema';

/**
 * graphql-ws on `/graphql` of the same port. A socket authenticates with `connectionParams`
 * (never a cookie), may not outlive its token (closed with 4401 when it expires: the client
 * reconnects with a new one), and is closed with 4403 when its session is revoked.
 */
export function createWsServer(server: Server, auth: Auth, root: ReturnType<typeof createRoot>) {
  const sockets = new Map<WebSocket, { sessionId: string; timer: NodeJS.Timeout }>();
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
  return {
    /** Closes the sockets of a revoked session at once. */
    closeSession(sessionId: string) {
      for (const [socket, entry] of sockets)
        if (entry.sessionId === sessionId) socket.close(CloseCode.Forbidden, 'Session revoked');
    },
    close() {
      for (const socket of sockets.keys()) socket.terminate();
      wss.close();
    },
  };
}
