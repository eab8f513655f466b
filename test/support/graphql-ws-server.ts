import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { useServer } from 'graphql-ws/use/ws';
import { jwtVerify, SignJWT } from 'jose';
import { WebSocketServer } from 'ws';
import { createSchema } from '../../fixtures/server/schema.js';

/**
 * graphql-ws's own server (`useServer` on a `ws` server, nothing of ours in between) on
 * 127.0.0.1, accepting a `connection_init` whose `authorization` is a valid HS256 JWT it issued.
 * `stop()` closes it as graphql-ws does (1001 "Going away" to every client, then the port is
 * freed); `start()` listens again on the same port.
 */
export async function startGraphqlWsServer() {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const schema = createSchema();
  let port = 0;
  let running: { dispose(): void | Promise<void> } | undefined;
  let accepted = 0;

  const start = async () => {
    if (running) return;
    const wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/graphql' });
    await once(wss, 'listening');
    port = (wss.address() as AddressInfo).port;
    running = useServer(
      {
        schema,
        onConnect: async ({ connectionParams }) => {
          const header = String(connectionParams?.authorization ?? '');
          try {
            await jwtVerify(header.replace(/^Bearer /, ''), secret, { algorithms: ['HS256'] });
          } catch {
            return false;
          }
          accepted++;
          return true;
        },
      },
      wss,
    );
  };
  const stop = async () => {
    const server = running;
    running = undefined;
    await server?.dispose();
  };
  await start();

  return {
    url: `ws://127.0.0.1:${port}/graphql`,
    /** Connections whose token was accepted. */
    get accepted() {
      return accepted;
    },
    /** A fresh access token for `user`, valid for `ttlMs`. */
    issueToken: (user = 'alice', ttlMs = 60_000) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user)
        .setIssuedAt()
        .setExpirationTime(Math.floor((Date.now() + ttlMs) / 1000))
        .sign(secret),
    start,
    stop,
  };
}
