/**
 * One wording for what an app saw, shared by every suite that reports or tallies outcomes: the
 * fault and soak tables, the compatibility matrix, failure messages. Never an error's message:
 * it could hold a token.
 */
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import { TokenRefreshError } from '../../src/index.js';

/**
 * An error as one short word: a `TokenRefreshError`'s `code` (`SESSION_EXPIRED`), a GraphQL
 * error's `extensions.code` (`UNAUTHENTICATED`; `GRAPHQL` without one, as yoga's bare 401),
 * `HTTP 502` for a server error, `close 4403` for a socket close event, else the error's (or object's) name.
 */
export function describeError(error: unknown): string {
  if (TokenRefreshError.is(error)) return error.code;
  if (CombinedGraphQLErrors.is(error))
    return String(error.errors[0]?.extensions?.code ?? 'GRAPHQL');
  if (ServerError.is(error)) return `HTTP ${error.statusCode}`;
  if (error instanceof Error) return error.name;
  if (typeof error !== 'object' || error === null) return typeof error;
  const { code } = error as { code?: unknown };
  return typeof code === 'number' ? `close ${code}` : (error.constructor?.name ?? 'object');
}

/** `HTTP 502×1, ok×3`: an order-free summary of outcomes (`ok` or `describeError` words). */
export function tally(outcomes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const outcome of outcomes) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  return [...counts]
    .sort(([first], [second]) => first.localeCompare(second))
    .map(([outcome, count]) => `${outcome}×${count}`)
    .join(', ');
}
