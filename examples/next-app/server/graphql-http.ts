import type { IncomingMessage, ServerResponse } from 'node:http';
import { graphql } from 'graphql';
import type { Auth } from './auth';
import { bearer, readJson, send } from './http';
import { type createRoot, schema } from './schema';

/**
 * `POST /graphql`. Authenticated by the `authorization: Bearer` header only, never by a cookie,
 * so a request another site makes the browser send carries no credential.
 */
export function createGraphqlRoute(auth: Auth, root: ReturnType<typeof createRoot>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const { query, variables, operationName } = await readJson(req);
    auth.counters.graphqlRequests++;
    const token = bearer(req.headers.authorization);
    const who = await auth.verify(token);
    if (!who) {
      if (token) auth.counters.rejectedTokens++;
      else auth.counters.anonymousRequests++;
      return send(res, 200, {
        errors: [{ message: 'Not authenticated', extensions: { code: 'UNAUTHENTICATED' } }],
      });
    }
    if (typeof query !== 'string') return send(res, 400, { errors: [{ message: 'No query' }] });
    const result = await graphql({
      schema,
      source: query,
      rootValue: root,
      contextValue: { user: who.user },
      variableValues: (variables as Record<string, unknown> | undefined) ?? null,
      operationName: typeof operationName === 'string' ? operationName : null,
    });
    send(res, 200, result);
  };
}
