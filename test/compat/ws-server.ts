import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { shut } from '../support/http-server.js';
import type { AuthContext, SharedSchema } from './schema.js';
import { bearerToken, type SigningKey, verifiedSubject } from './signing.js';
import type { World } from './world.js';

export interface WsServer {
  readonly url: string;
  /** Every `connection_init`, in order: the token it carried and whether it was accepted. */
  readonly connections: readonly { token: string | null; accepted: boolean }[];
  /** Whether the server listens (false between `stop()` and `start()`). */
  readonly running: boolean;
  /** Closes every client socket with `code` from the server side. */
  closeAll(code: number, reason: string): void;
  /** Drops every socket and stops listening: connects are refused until `start()`. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * graphql-ws 6's own server (`useServer` on a `ws` server), verifying the token of
 * `connection_init` in `onConnect` as graphql-ws's docs show: a rejected token makes it close
 * the socket with 4403 Forbidden. Restartable on the same port.
 */
export async function startWsServer(
  world: World,
  key: SigningKey,
  { schema }: SharedSchema,
): Promise<WsServer> {
  const connections: { token: string | null; accepted: boolean }[] = [];
  let port = 0;
  let current: { http: Server; wss: WebSocketServer; dispose: () => Promise<void> } | undefined;

  const start = async () => {
    const http = createServer();
    const wss = new WebSocketServer({ server: http, path: '/graphql' });
    const users = new WeakMap<object, string>();
    const server = useServer<Record<string, unknown>>(
      {
        schema,
        onConnect: async (ctx) => {
          const token = bearerToken(ctx.connectionParams?.authorization);
          const user = await verifiedSubject(token, key, world);
          connections.push({ token, accepted: user !== null });
          world.changed();
          if (!user) return false;
          users.set(ctx.extra.socket, user);
          return true;
        },
        context: (ctx): AuthContext => ({ user: users.get(ctx.extra.socket) ?? null }),
      },
      wss,
    );
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, '127.0.0.1', () => resolve());
    });
    port = (http.address() as AddressInfo).port;
    current = { http, wss, dispose: async () => server.dispose() };
  };

  const stop = async () => {
    const was = current;
    current = undefined;
    if (!was) return;
    // A crash or a deploy: the sockets drop without a close frame.
    for (const socket of was.wss.clients) socket.terminate();
    await was.dispose();
    await shut(was.http);
  };

  await start();
  return {
    url: `ws://127.0.0.1:${port}/graphql`,
    connections,
    get running() {
      return current !== undefined;
    },
    closeAll(code, reason) {
      for (const socket of current?.wss.clients ?? []) socket.close(code, reason);
    },
    stop,
    start,
    close: stop,
  };
}
