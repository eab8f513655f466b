import { ApolloLink } from '@apollo/client';
import PQueue from 'p-queue';
import { Observable, type Subscription, tap } from 'rxjs';
import { check } from '../internal/check.js';
import { SessionExpiredError } from '../token/errors.js';
import type { TokenManager } from '../token/manager.js';
import { stateOf } from './state.js';

/**
 * Holds every operation that arrives while the manager refreshes (proactively, reactively, on
 * schedule or in another tab) in a paused queue, and sends it with the new token once the
 * refresh settles. When the refresh fails, held operations error with the manager's
 * `SessionExpiredError` or `RefreshFailedError`. Unsubscribing a held operation removes it.
 */
export class ProactiveRefreshLink extends ApolloLink {
  constructor(
    manager: TokenManager,
    { concurrency = Infinity }: ProactiveRefreshLink.Options = {},
  ) {
    check(
      concurrency === Infinity || (Number.isInteger(concurrency) && concurrency > 0),
      'concurrency',
      'a positive integer or Infinity',
      concurrency,
    );
    const refreshing = () => manager.status === 'refreshing';
    const queue = new PQueue({ concurrency, autoStart: !refreshing() });
    // Error callbacks of the operations waiting in the queue, to fail them with the refresh.
    const held = new Set<(error: unknown) => void>();
    const fail = (error: unknown) => {
      for (const f of held) f(error);
    };
    manager.on('refreshFailed', fail);
    manager.on('status', (s) => {
      if (s === 'refreshing') return queue.pause();
      // Logged out while held (logout() aborts a refresh without `refreshFailed`): sending them
      // now would go without a token.
      if (s === 'unauthenticated') fail(new SessionExpiredError());
      queue.start();
    });

    super((op, forward) => {
      const state = stateOf(op);
      // Hot path: nothing to wait for.
      if (state.skip || !(state.defer || refreshing() || queue.size)) return forward(op);
      state.defer = false;
      return new Observable((observer) => {
        // Closed (unsubscribed or failed): its queue slot, when reached, sends nothing.
        let closed = false;
        let sub: Subscription | undefined;
        const f = (error: unknown) => {
          closed = true;
          observer.error(error);
        };
        held.add(f);
        queue
          .add(async () => {
            held.delete(f);
            if (closed) return;
            const token = await manager.getAccessToken();
            if (closed) return;
            state.apply?.(op, token);
            // The slot stays taken until the first answer (or unsubscribe), so `concurrency`
            // bounds the requests in flight after a refresh, not just their start.
            await new Promise<void>((settle) => {
              const s = () => settle();
              sub = forward(op)
                .pipe(tap({ next: s, finalize: s }))
                .subscribe(observer);
            });
          })
          .catch((error: unknown) => closed || observer.error(error));
        return () => {
          closed = true;
          held.delete(f);
          sub?.unsubscribe();
        };
      });
    });
  }
}

export declare namespace ProactiveRefreshLink {
  /** Options of `new ProactiveRefreshLink(manager, options)`. */
  interface Options {
    /**
     * How many held operations are sent at once when a refresh settles (each keeps its slot
     * until its first response). Lower it to soften the burst after a long refresh.
     * @default Infinity
     */
    concurrency?: number;
  }
}
