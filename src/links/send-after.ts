import type { ApolloLink } from '@apollo/client';
import { Observable, type Subscription } from 'rxjs';

/**
 * Waits for `promise`, then subscribes to the operation `send` starts. Unsubscribing earlier
 * means `send` never runs (nothing goes out after close); a rejection, or `send` throwing, is
 * the operation's error. Off the hot path (a usable token needs no waiting), but on the path of
 * every operation retried after a 401: written out rather than `from(promise).pipe(mergeMap())`,
 * which costs two more subscribers per operation.
 */
export function sendAfter<T>(
  promise: Promise<T>,
  send: (value: T) => Observable<ApolloLink.Result>,
): Observable<ApolloLink.Result> {
  return new Observable((observer) => {
    let closed = false;
    let sent: Subscription | undefined;
    promise.then(
      (value) => {
        if (closed) return;
        try {
          sent = send(value).subscribe(observer);
        } catch (error) {
          observer.error(error);
        }
      },
      (error: unknown) => {
        if (!closed) observer.error(error);
      },
    );
    return () => {
      closed = true;
      sent?.unsubscribe();
    };
  });
}
