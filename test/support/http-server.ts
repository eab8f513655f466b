import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A GraphQL-over-HTTP server of the suite, as the tests see it. */
export interface GraphQLHttpServer {
  /** The GraphQL endpoint. */
  readonly url: string;
  /** The bearer token of every request that reached this server, in order (`null`: none). */
  readonly tokens: readonly (string | null)[];
  close(): Promise<void>;
}

/** Listens on a free port of 127.0.0.1; resolves with the port. */
export async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Closes the server and every connection it still holds (keep-alive sockets included). */
export async function shut(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
