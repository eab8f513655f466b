import type { ApolloLink } from '@apollo/client';
import { from, mergeMap, type Observable } from 'rxjs';
import type { TokenRefreshContext } from './context.js';

/**
 * Waits for `promise`, then subscribes to the operation `send` starts. Unsubscribing earlier
 * means `send` never runs (nothing goes out after close); a rejection, or `send` throwing, is
 * the operation's error. Off the hot path (a fresh token needs no waiting).
 */
export const after = <T>(promise: Promise<T>, send: (value: T) => Observable<ApolloLink.Result>) =>
  from(promise).pipe(mergeMap(send));

/** Merges `patch` into the operation's `tokenRefresh` context (one context copy). */
export const patch = (op: ApolloLink.Operation, patch: TokenRefreshContext) =>
  op.setContext(({ tokenRefresh }) => ({ tokenRefresh: { ...tokenRefresh, ...patch } }));
