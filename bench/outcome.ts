/**
 * How one operation ended, worded alike for every client: the error's own string `code`
 * (`SESSION_EXPIRED`, `REFRESH_HTTP_401`), else the GraphQL error's (`UNAUTHENTICATED`), else the
 * HTTP status (`HTTP_502`), else the error's name (`TypeError`).
 */
export interface Outcome {
  ok: boolean;
  code?: string;
}

/** An operation that has not settled after this long counts as failed: no run can hang. */
const OPERATION_TIMEOUT_MS = 20_000;

/** The fields that tell how an operation failed, in the errors of Apollo Client 4 and 3 and urql. */
interface ErrorFields {
  name?: string;
  code?: unknown;
  statusCode?: number;
  errors?: readonly { extensions?: { code?: unknown } }[];
  graphQLErrors?: readonly { extensions?: { code?: unknown } }[];
  networkError?: ErrorFields | null;
  response?: { status?: number };
}

function failureCode(error: unknown): string {
  const fields = (error ?? {}) as ErrorFields;
  const network = fields.networkError ?? {};
  const code = fields.code ?? network.code;
  if (typeof code === 'string') return code;
  const graphQLCode = (fields.errors ?? fields.graphQLErrors)?.[0]?.extensions?.code;
  if (graphQLCode !== undefined) return String(graphQLCode);
  const status = fields.statusCode ?? network.statusCode ?? fields.response?.status;
  if (status !== undefined && status >= 400) return `HTTP_${status}`;
  return network.name ?? fields.name ?? 'unknown';
}

/** The outcome of a `BenchClient.query`. */
export function outcomeOf(query: Promise<unknown>): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, code: 'TIMEOUT' }), OPERATION_TIMEOUT_MS);
  });
  const settled = query.then(
    (): Outcome => ({ ok: true }),
    (error: unknown): Outcome => ({ ok: false, code: failureCode(error) }),
  );
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}
