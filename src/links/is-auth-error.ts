import type { ApolloLink } from '@apollo/client';
import { CombinedGraphQLErrors, ServerError, ServerParseError } from '@apollo/client/errors';

const UNAUTHORIZED = 401;

/**
 * The default `isAuthError`: the server rejected the token. True for
 * - a GraphQL error coded `UNAUTHENTICATED` (Apollo Server, and most servers that follow it);
 * - any failure of a request the server answered with HTTP 401, whatever the body: a
 *   `ServerError`/`ServerParseError` with status 401 (plain JSON or text, e.g. from an API
 *   gateway), or GraphQL errors without a code (graphql-yoga's JWT plugin answers
 *   `{"errors":[{"message":"Unauthenticated"}]}`), read from the response `HttpLink` puts in
 *   the operation's context.
 */
export function isUnauthenticated(error: unknown, operation?: ApolloLink.Operation): boolean {
  if (
    CombinedGraphQLErrors.is(error) &&
    error.errors.some((graphQLError) => graphQLError.extensions?.code === 'UNAUTHENTICATED')
  ) {
    return true;
  }
  if ((ServerError.is(error) || ServerParseError.is(error)) && error.statusCode === UNAUTHORIZED) {
    return true;
  }
  const response: unknown = operation?.getContext().response;
  return (response as { status?: unknown } | undefined)?.status === UNAUTHORIZED;
}
