import { createServer } from 'node:http';
import { useJWT } from '@graphql-yoga/plugin-jwt';
import { createYoga } from 'graphql-yoga';
import { type GraphQLHttpServer, listen, shut } from '../support/http-server.js';
import type { SharedSchema } from './schema.js';
import { bearerToken, type SigningKey } from './signing.js';
import type { World } from './world.js';

/**
 * graphql-yoga 5 with `@graphql-yoga/plugin-jwt` 3 and its defaults: a missing or invalid token
 * is answered by the plugin itself, HTTP 401 `{"errors":[{"message":"Unauthenticated"}]}`,
 * without `extensions.code`.
 */
export async function startYogaServer(
  world: World,
  key: SigningKey,
  { schema }: SharedSchema,
): Promise<GraphQLHttpServer> {
  const tokens: (string | null)[] = [];
  const yoga = createYoga({
    schema,
    plugins: [
      useJWT({
        signingKeyProviders: [() => key.secret()],
        tokenVerification: {
          algorithms: ['HS256'],
          // jsonwebtoken copies these options on every verify, so the getter gives it the
          // servers' clock each time (its documented clock option; it takes seconds).
          get clockTimestamp() {
            return Math.floor(world.now() / 1000);
          },
        },
      }),
    ],
    context: ({ jwt }: { jwt?: { payload: { sub?: string } } }) => ({
      user: jwt?.payload.sub ?? null,
    }),
  });
  const http = createServer((req, res) => {
    tokens.push(bearerToken(req.headers.authorization));
    yoga(req, res);
  });
  const port = await listen(http);
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    tokens,
    close: () => shut(http),
  };
}
