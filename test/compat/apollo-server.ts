import { createServer } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError } from 'graphql';
import { type GraphQLHttpServer, listen, shut } from '../support/http-server.js';
import type { AuthContext, SharedSchema } from './schema.js';
import { bearerToken, type SigningKey, verifiedSubject } from './signing.js';
import type { World } from './world.js';

/**
 * Apollo Server 5 on express 5, authenticating as Apollo's docs show: the context function
 * verifies the JWT and throws a `GraphQLError` coded `UNAUTHENTICATED` with HTTP status 401,
 * so the request fails before any resolver runs.
 */
export async function startApolloServer(
  world: World,
  key: SigningKey,
  { schema }: SharedSchema,
): Promise<GraphQLHttpServer> {
  const tokens: (string | null)[] = [];
  const apollo = new ApolloServer<AuthContext>({ schema });
  await apollo.start();
  const app = express();
  app.use(
    '/graphql',
    express.json(),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const token = bearerToken(req.headers.authorization);
        tokens.push(token);
        const user = await verifiedSubject(token, key, world);
        if (!user) {
          throw new GraphQLError('You are not authenticated', {
            extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
          });
        }
        return { user };
      },
    }),
  );
  const http = createServer(app);
  const port = await listen(http);
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    tokens,
    async close() {
      await shut(http);
      await apollo.stop();
    },
  };
}
