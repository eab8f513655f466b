import { ApolloLink } from '@apollo/client';
import PQueue from 'p-queue';
import { Observable, type Subscription, tap } from 'rxjs';
import { check, checkManager } from '../shared/check.js';
import { SessionExpiredError } from '../shared/errors.js';
import { type AuthorizationHeader, type HeaderOptions, resolveHeader } from '../shared/header.js';
import type { TokenManager } from '../token/manager.js';
import { isSkipped, setToken } from './context.js';

type Forward = ApolloLink.ForwardFunction;

/**
 * Holds every operation that arrives while the manager refreshes (proactively, reactively, on
 * schedule or in another tab), or whose token is expiring, in a paused queue, and sends it with
 * the new token in its header once the refresh settles. When the refresh fails, held operations
 * error with the manager's `SessionExpiredError` or `RefreshFailedError`; unsubscribing a held
 * operation removes it. While a token is usable and nothing is held, operations pass straight
 * through.
 *
 * Context: reads `tokenRefresh.skip`; writes `headers[header]` of the operations it held.
 */
export class ProactiveRefreshLink extends ApolloLink {
  /** @throws {TokenRefreshError} `INVALID_OPTION` for a missing manager or an invalid option, naming it. */
  constructor(manager: TokenManager, options: ProactiveRefreshLink.Options = {}) {
    checkManager(manager, 'ProactiveRefreshLink', ['peekAccessToken', 'getAccessToken', 'on']);
    const { concurrency = Infinity } = options;
    check(
      concurrency === Infinity || (Number.isInteger(concurrency) && concurrency > 0),
      'concurrency',
      'a positive integer or Infinity',
      concurrency,
    );
    const held = new HeldOperations(manager, resolveHeader(options), concurrency);
    super((operation, forward) => {
      // A token is usable and nothing is held: every operation passes, opted out or not.
      if (!held.hasWaiting && manager.peekAccessToken() !== undefined) return forward(operation);
      if (isSkipped(operation.getContext())) return forward(operation);
      // Behind operations already held, a new one keeps its place in the line.
      return held.hold(operation, forward);
    });
  }
}

export declare namespace ProactiveRefreshLink {
  /** Options of `new ProactiveRefreshLink(manager, options)`. */
  interface Options extends HeaderOptions {
    /**
     * How many held operations are sent at once when a refresh settles (each keeps its slot
     * until its first response). Lower it to soften the burst after a long refresh.
     * @default Infinity
     */
    concurrency?: number;
  }
}

/**
 * The operations one `ProactiveRefreshLink` holds: a p-queue, paused while a refresh runs and
 * started when it settles. Each held operation asks the manager for its token (a fresh one once
 * the refresh settled), writes it into its header and goes out.
 *
 * It listens to the manager only while it holds something: a link that is dropped leaves
 * nothing behind on a long-lived manager, and a refresh does no work for it.
 */
class HeldOperations {
  readonly #manager: TokenManager;
  readonly #header: AuthorizationHeader;
  readonly #queue: PQueue;
  /** A finite `concurrency`: a released operation keeps its slot until its first answer. */
  readonly #boundsRequests: boolean;
  /** How to fail each held operation that has not started yet, when the refresh fails. */
  readonly #notStarted = new Set<(error: unknown) => void>();
  #stopWatchingManager: (() => void) | undefined;

  constructor(manager: TokenManager, header: AuthorizationHeader, concurrency: number) {
    this.#manager = manager;
    this.#header = header;
    this.#queue = new PQueue({ concurrency, autoStart: false });
    this.#boundsRequests = concurrency !== Infinity;
    this.#queue.on('idle', () => this.#stopWatchingManager?.());
  }

  /** Operations wait in the queue. */
  get hasWaiting(): boolean {
    return this.#queue.size > 0;
  }

  hold(operation: ApolloLink.Operation, forward: Forward): Observable<ApolloLink.Result> {
    return new Observable((observer) => {
      // Closed (unsubscribed or failed): its queue slot, when reached, sends nothing.
      let closed = false;
      let subscription: Subscription | undefined;
      const fail = (error: unknown) => {
        closed = true;
        observer.error(error);
      };
      this.#notStarted.add(fail);
      this.#watchManager();
      this.#queue
        .add(async () => {
          this.#notStarted.delete(fail);
          if (closed) return;
          // Once the refresh settled the token is there to read; waiting is for a refresh that
          // another tab or a rejected token started meanwhile.
          const token = this.#manager.peekAccessToken() ?? (await this.#manager.getAccessToken());
          if (closed) return;
          setToken(operation, token, this.#header);
          if (!this.#boundsRequests) {
            subscription = forward(operation).subscribe(observer);
            return;
          }
          // The slot stays taken until the first answer (or unsubscribe), so `concurrency`
          // bounds the requests in flight after a refresh, not just their start.
          await new Promise<void>((settle) => {
            const release = () => settle();
            subscription = forward(operation)
              .pipe(tap({ next: release, finalize: release }))
              .subscribe(observer);
          });
        })
        .catch((error: unknown) => closed || observer.error(error));
      return () => {
        closed = true;
        this.#notStarted.delete(fail);
        subscription?.unsubscribe();
      };
    });
  }

  #watchManager(): void {
    if (this.#stopWatchingManager) return;
    const failNotStarted = (error: unknown) => {
      for (const fail of this.#notStarted) fail(error);
    };
    const stopWatchingStatus = this.#manager.on('status', (status) => {
      if (status === 'refreshing') return this.#queue.pause();
      // Logged out while held (`logout()` aborts a refresh without `refreshFailed`): sending
      // them now would send them without a token.
      if (status === 'unauthenticated') failNotStarted(new SessionExpiredError());
      this.#queue.start();
    });
    const stopWatchingFailures = this.#manager.on('refreshFailed', failNotStarted);
    this.#stopWatchingManager = () => {
      stopWatchingStatus();
      stopWatchingFailures();
      this.#stopWatchingManager = undefined;
    };
    if (this.#manager.status === 'refreshing') this.#queue.pause();
    else this.#queue.start();
  }
}
