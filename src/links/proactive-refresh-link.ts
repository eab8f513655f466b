import { ApolloLink } from '@apollo/client';
import { check } from '../shared/check.js';
import { type HeaderOptions, resolveHeader } from '../shared/header.js';
import type { TokenManager } from '../token/manager.js';
import { HeldOperations } from './held-operations.js';
import { isSkipped, takeHold } from './operation-state.js';

/**
 * Holds every operation that arrives while the manager refreshes (proactively, reactively, on
 * schedule or in another tab), or whose token is expiring, in a paused queue, and sends it with
 * the new token once the refresh settles. When the refresh fails, held operations error with the
 * manager's `SessionExpiredError` or `RefreshFailedError`. Unsubscribing a held operation
 * removes it. Without an `AuthLink` in front, it writes the header itself (`header`, `format`).
 */
export class ProactiveRefreshLink extends ApolloLink {
  readonly #held: HeldOperations;

  constructor(manager: TokenManager, options: ProactiveRefreshLink.Options = {}) {
    const { concurrency = Infinity } = options;
    check(
      concurrency === Infinity || (Number.isInteger(concurrency) && concurrency > 0),
      'concurrency',
      'a positive integer or Infinity',
      concurrency,
    );
    const held = new HeldOperations(manager, resolveHeader(options), concurrency);
    super((operation, forward) => {
      if (isSkipped(operation)) return forward(operation);
      const mustWait =
        takeHold(operation) || held.hasWaiting || manager.peekAccessToken() === undefined;
      return mustWait ? held.hold(operation, forward) : forward(operation);
    });
    this.#held = held;
  }

  /** Operations wait in its queue (a refresh runs, or they are still being sent after one). */
  get isHolding(): boolean {
    return this.#held.hasWaiting;
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
