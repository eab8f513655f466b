import { check, isFunction } from '../shared/check.js';
import { TokenRefreshError } from '../shared/errors.js';
import type { TokenManagerEvents } from './types.js';

type EventName = keyof TokenManagerEvents;
type Listeners = { [E in EventName]: Set<TokenManagerEvents[E]> };

/**
 * The manager's listeners. They run synchronously, in the order they were added; one that throws
 * is reported (`reportError` where the runtime has it) and never breaks the manager or the
 * listeners after it.
 */
export class Emitter {
  #listeners: Listeners = {
    status: new Set(),
    refreshing: new Set(),
    tokens: new Set(),
    refreshFailed: new Set(),
    logout: new Set(),
  };

  /** @throws {TokenRefreshError} `INVALID_OPTION` for an unknown event or a listener that is not a function. */
  on<E extends EventName>(event: E, listener: TokenManagerEvents[E]): () => void {
    if (!Object.hasOwn(this.#listeners, event)) {
      // The name itself is not echoed: only names this package defines appear in messages.
      throw new TokenRefreshError(
        'INVALID_OPTION',
        `on(): unknown event; expected one of ${Object.keys(this.#listeners).join(', ')}`,
      );
    }
    check(isFunction(listener), `on('${event}') listener`, 'a function', listener);
    const listeners = this.#listeners[event] as Set<TokenManagerEvents[E]>;
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }

  emit<E extends EventName>(event: E, ...value: Parameters<TokenManagerEvents[E]>): void {
    for (const listener of this.#listeners[event] as Set<(...args: typeof value) => void>) {
      try {
        listener(...value);
      } catch (error) {
        (globalThis as { reportError?: (error: unknown) => void }).reportError?.(error);
      }
    }
  }

  clear(): void {
    for (const listeners of Object.values(this.#listeners)) listeners.clear();
  }
}
