import type { ApolloLink } from '@apollo/client';
import { Observable, type Subscription } from 'rxjs';

/**
 * Waits for `promise`, then subscribes to the operation `send` starts. Unsubscribing earlier
 * means `send` never runs (nothing goes out after close); a rejection, or `send` throwing, is
 * the operation's error.
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
