import type { ApolloLink } from '@apollo/client';
import { from, mergeMap, type Observable } from 'rxjs';

/**
 * Waits for `promise`, then subscribes to the operation `send` starts. Unsubscribing earlier
 * means `send` never runs (nothing goes out after close); a rejection, or `send` throwing, is
 * the operation's error. Off the hot path: a usable token needs no waiting.
 */
export function sendAfter<T>(
  promise: Promise<T>,
  send: (value: T) => Observable<ApolloLink.Result>,
): Observable<ApolloLink.Result> {
  return from(promise).pipe(mergeMap(send));
}
