import type { ApolloLink } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import type { Observer, Subscriber, TeardownLogic, Unsubscribable } from 'rxjs';

type Result = ApolloLink.Result;

/** Starts the one retry into `destination` when `error` is an auth error; false when it is not. */
export type Retry = (error: unknown, destination: Subscriber<Result>) => boolean;

/**
 * Watches an operation's first attempt for an auth error and passes everything else on to
 * `destination`, the operation's subscriber.
 *
 * Not an rxjs `Subscriber`, on purpose: rxjs takes any observer that also has `closed`, `add`,
 * `remove` and `unsubscribe` as a subscriber as it is, while a `Subscriber` subclass links
 * itself into its destination's finalizers and parentage and unlinks again when it ends. That
 * bookkeeping measured about 0.5 µs per operation on the hot path of every operation (bench
 * S3). Would rxjs ever stop taking it as it is, it wraps it like any observer: slower, the same
 * behaviour.
 */
export class FirstAttempt implements Observer<Result>, Unsubscribable {
  closed = false;
  readonly #destination: Subscriber<Result>;
  readonly #retry: Retry;
  /** A result reached the app: a stream that fails later is not retried. */
  #delivered = false;
  /** A retry took over: what this attempt still delivers is dropped. */
  #handedOver = false;
  /** What stops the attempt (its link's teardown), run once it ends or is unsubscribed. */
  #finalizers: Exclude<TeardownLogic, void>[] | undefined;

  constructor(destination: Subscriber<Result>, retry: Retry) {
    this.#destination = destination;
    this.#retry = retry;
  }

  next(result: Result): void {
    if (this.closed || this.#handedOver) return;
    if (!this.#delivered && result.errors && this.#handOver(new CombinedGraphQLErrors(result))) {
      return;
    }
    this.#delivered = true;
    this.#destination.next(result);
  }

  error(error: unknown): void {
    if (this.closed) return;
    const handedOver = this.#handedOver || (!this.#delivered && this.#handOver(error));
    if (!handedOver) this.#destination.error(error);
    this.unsubscribe();
  }

  complete(): void {
    if (this.closed) return;
    if (!this.#handedOver) this.#destination.complete();
    this.unsubscribe();
  }

  add(finalizer: TeardownLogic): void {
    if (!finalizer) return;
    if (this.closed) finalize(finalizer);
    else if (this.#finalizers) this.#finalizers.push(finalizer);
    else this.#finalizers = [finalizer];
  }

  /** rxjs calls it only on a parent it linked a child to, which it never does for this one. */
  remove(): void {}

  unsubscribe(): void {
    if (this.closed) return;
    this.closed = true;
    const finalizers = this.#finalizers;
    this.#finalizers = undefined;
    if (finalizers) for (const finalizer of finalizers) finalize(finalizer);
  }

  /**
   * Gives the operation to a retry when `error` calls for one. The attempt is left to finish
   * rather than unsubscribed at once: `HttpLink` aborts the request of an unsubscribed attempt
   * even when its answer was fully read, and each abort costs a `DOMException` and the fetch's
   * abort steps (measured in the 401 path's profile: 500 rejections, 500 aborts).
   */
  #handOver(error: unknown): boolean {
    try {
      this.#handedOver = this.#retry(error, this.#destination);
    } catch (thrown) {
      // A throwing `isAuthError` fails the operation instead of leaving it hanging.
      this.#destination.error(thrown);
      this.#handedOver = true;
    }
    return this.#handedOver;
  }
}

function finalize(finalizer: Exclude<TeardownLogic, void>): void {
  if (typeof finalizer === 'function') finalizer();
  else finalizer.unsubscribe();
}
