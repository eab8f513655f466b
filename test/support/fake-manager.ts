/**
 * Managers for tests that are not about the manager:
 *
 * - `FakeManager`, a scripted stand-in for `TokenManager` in unit tests of one link: the test
 *   decides when a refresh starts and how it ends. It keeps what the links rely on from the real
 *   one: one refresh at a time that every caller joins, `refresh({ failedToken })` answering with
 *   the current token when the failed one was already replaced, and the `refreshing`, `tokens`,
 *   `refreshFailed`, `logout` and `status` events the links listen to.
 * - `countListeners(manager)`, a real manager whose `on()` counts the listeners still
 *   registered: what a link, a hook or a client that leaks would leave behind.
 */
import { SessionExpiredError } from '../../src/shared/errors.js';
import type { TokenManager } from '../../src/token/manager.js';
import type { TokenManagerEvents, TokenStatus } from '../../src/token/types.js';
import { type Deferred, deferred } from './deferred.js';

type Events = { [K in keyof TokenManagerEvents]: Set<TokenManagerEvents[K]> };

export class FakeManager {
  status: TokenStatus = 'authenticated';
  token: string | null = 't1';
  getCalls = 0;
  refreshCalls: (string | undefined)[] = [];
  #flight: Deferred<string> | undefined;
  #events: Events = {
    tokens: new Set(),
    refreshing: new Set(),
    refreshFailed: new Set(),
    logout: new Set(),
    status: new Set(),
  };

  on<K extends keyof TokenManagerEvents>(event: K, listener: TokenManagerEvents[K]): () => void {
    const set = this.#events[event] as Set<TokenManagerEvents[K]>;
    set.add(listener);
    return () => set.delete(listener);
  }

  peekAccessToken(): string | null | undefined {
    return this.#flight ? undefined : this.token;
  }

  getAccessToken(): Promise<string | null> {
    this.getCalls++;
    return this.#flight ? this.#flight.promise : Promise.resolve(this.token);
  }

  refresh(options: { failedToken?: string } = {}): Promise<string> {
    this.refreshCalls.push(options.failedToken);
    if (options.failedToken !== undefined && options.failedToken !== this.token && this.token) {
      return Promise.resolve(this.token);
    }
    return this.startRefresh();
  }

  /** Starts the one refresh (or joins it), as an expiring token would. */
  startRefresh(): Promise<string> {
    if (!this.#flight) {
      this.#flight = deferred<string>();
      this.#flight.promise.catch(() => {});
      this.#setStatus('refreshing');
      for (const listener of this.#events.refreshing) listener();
    }
    return this.#flight.promise;
  }

  succeed(token: string): void {
    const flight = this.#take();
    this.token = token;
    for (const listener of this.#events.tokens) listener({ accessToken: token });
    this.#setStatus('authenticated');
    flight.resolve(token);
  }

  fail(error: Parameters<TokenManagerEvents['refreshFailed']>[0], endSession = false): void {
    const flight = this.#take();
    for (const listener of this.#events.refreshFailed) listener(error);
    if (endSession) {
      this.token = null;
      for (const listener of this.#events.logout) listener(error);
    }
    this.#setStatus(endSession ? 'unauthenticated' : 'authenticated');
    flight.reject(error);
  }

  /** `logout(reason)` during a refresh: aborts it, emits only `logout`. */
  logout(reason: unknown): void {
    const flight = this.#flight;
    this.#flight = undefined;
    this.token = null;
    for (const listener of this.#events.logout) listener(reason);
    this.#setStatus('unauthenticated');
    flight?.reject(new SessionExpiredError(undefined, { cause: reason }));
  }

  #take(): Deferred<string> {
    const flight = this.#flight;
    if (!flight) throw new Error('no refresh running');
    this.#flight = undefined;
    return flight;
  }

  #setStatus(status: TokenStatus): void {
    this.status = status;
    for (const listener of this.#events.status) listener(status);
  }
}

/** The part of `TokenManager` the links use; the cast is checked against it. */
type LinkManager = Pick<
  TokenManager,
  'status' | 'getAccessToken' | 'peekAccessToken' | 'refresh' | 'on'
>;
export const asManager = (fake: LinkManager): TokenManager => fake as TokenManager;

/**
 * Makes `manager.on()` count the listeners registered through it and not yet removed
 * (`active`). The manager itself is changed, so that everything given it (a link chain, a hook,
 * a ws client) is counted; an unsubscribe called twice counts once.
 */
export function countListeners(manager: TokenManager): { readonly active: number } {
  let active = 0;
  const on = manager.on.bind(manager);
  manager.on = ((event, listener) => {
    const unsubscribe = on(event, listener);
    active++;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      active--;
      unsubscribe();
    };
  }) as TokenManager['on'];
  return {
    get active() {
      return active;
    },
  };
}
