import type { GraphQLHttpServer } from '../support/http-server.js';
import { startApolloServer } from './apollo-server.js';
import { startGateway } from './gateway.js';
import { createSharedSchema, type SharedSchema } from './schema.js';
import { type Rotation, startTokenEndpoint, type TokenEndpoint } from './token-endpoint.js';
import { createWorld, type World } from './world.js';
import { startWsServer, type WsServer } from './ws-server.js';
import { startYogaServer } from './yoga-server.js';

/** Which server answers GraphQL over HTTP, and so how an expired token is refused. */
export type ServerKind = 'apollo' | 'yoga' | 'gateway';

export const SERVER_LABELS: Record<ServerKind, string> = {
  apollo: 'Apollo Server 5 (express 5)',
  yoga: 'graphql-yoga 5 + plugin-jwt 3',
  gateway: 'API gateway (401 plain JSON) → Apollo Server 5',
};

/** Everything on the server side of one test: all real, all on 127.0.0.1, one shared key. */
export interface Stack {
  world: World;
  endpoint: TokenEndpoint;
  shared: SharedSchema;
  /** The server that answers GraphQL over HTTP. */
  http: GraphQLHttpServer;
  /** graphql-ws's own server, for subscriptions. */
  ws: WsServer;
  /** Upstream of the gateway (the `apollo` of a `gateway` stack). */
  upstream?: GraphQLHttpServer;
  close(): Promise<void>;
}

export async function startStack(server: ServerKind, rotation: Rotation): Promise<Stack> {
  const world = createWorld();
  const shared = createSharedSchema();
  const closers: (() => Promise<void>)[] = [];
  try {
    const endpoint = await startTokenEndpoint(world, rotation);
    closers.push(endpoint.close);
    const ws = await startWsServer(world, endpoint.key, shared);
    closers.push(ws.close);
    let upstream: GraphQLHttpServer | undefined;
    let http: GraphQLHttpServer;
    if (server === 'gateway') {
      upstream = await startApolloServer(world, endpoint.key, shared);
      closers.push(upstream.close);
      http = await startGateway(world, endpoint.key, upstream.url);
    } else {
      http = await (server === 'apollo' ? startApolloServer : startYogaServer)(
        world,
        endpoint.key,
        shared,
      );
    }
    closers.push(http.close);
    return {
      world,
      endpoint,
      shared,
      http,
      ws,
      ...(upstream && { upstream }),
      close: () => closeAll(closers),
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

/** Runs every closer, last opened first, even when one fails; rethrows the first failure. */
async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const close of [...closers].reverse()) {
    await close().catch((error: unknown) => failures.push(error));
  }
  if (failures.length > 0) throw failures[0];
}
