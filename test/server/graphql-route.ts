import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DocumentNode, GraphQLError } from 'graphql';
import { graphql as g } from './graphql.js';
import { bearer, GQL, readJson, send } from './http.js';
import type { State } from './state.js';

type Parsed = [DocumentNode, readonly GraphQLError[]];
// Validation costs more than execution here; load tests repeat a handful of queries.
const cache = new WeakMap<State, Map<string, Parsed>>();

function parseAndValidate(st: State, query: string): Parsed | Error {
  let m = cache.get(st);
  if (!m) {
    m = new Map();
    cache.set(st, m);
  }
  let hit = m.get(query);
  if (!hit) {
    try {
      const document = g.parse(query);
      hit = [document, g.validate(st.schema, document)];
    } catch (e) {
      return e as Error;
    }
    if (m.size > 1_000) m.clear();
    m.set(query, hit);
  }
  return hit;
}

const unauthenticated = (st: State, res: ServerResponse) => {
  const { counters, knobs } = st;
  counters.unauthorized++;
  const f = knobs.unauthenticatedAs;
  send(
    res,
    f === '200' ? 200 : 401,
    { errors: [{ message: 'Unauthenticated', extensions: { code: 'UNAUTHENTICATED' } }] },
    f === '401-json' ? 'application/json' : GQL,
    f === '200' ? {} : { 'www-authenticate': 'Bearer' },
  );
};

/** `POST /graphql`: JSON `{ query, variables, operationName }`, auth, then `execute`. */
export async function graphqlRoute(st: State, req: IncomingMessage, res: ServerResponse) {
  const { counters, knobs, schema } = st;
  const body = await readJson(req);
  counters.requests++;
  const token = bearer(req.headers.authorization);
  counters.requestTokens.push(token);
  const vars = body?.variables;
  const variables = vars && typeof vars === 'object' ? (vars as Record<string, unknown>) : {};
  counters.requestVariables.push(variables);
  if (knobs.graphqlDrop > 0) {
    knobs.graphqlDrop--;
    req.socket.destroy();
    return;
  }
  await st.wait(knobs.graphqlLatencyMs);
  if (knobs.graphql502 > 0) {
    knobs.graphql502--;
    return send(res, 502, 'Bad Gateway', 'text/plain');
  }
  const bad = (message: string) => send(res, 400, { errors: [{ message }] }, GQL);
  if (typeof body?.query !== 'string') return bad('Expected JSON { query }');
  const parsed = parseAndValidate(st, body.query);
  if (!Array.isArray(parsed)) return bad(parsed.message);
  const [document, errors] = parsed;
  if (errors.length > 0) return send(res, 400, { errors }, GQL);
  const operationName = typeof body.operationName === 'string' ? body.operationName : null;
  const op = g.getOperationAST(document, operationName);
  if (!op) return bad('Unknown operation');
  if (op.operation === 'subscription') return bad('Subscriptions run over graphql-ws');
  const v = await st.auth(token);
  // Public* operations need no token (login, logged-out users); any other needs a valid one.
  if (!v && !op.name?.value.startsWith('Public')) return unauthenticated(st, res);
  const result = await g.execute({
    schema,
    document,
    operationName,
    variableValues: variables,
    contextValue: { user: v?.user ?? null },
  });
  send(res, 200, result, GQL);
}
