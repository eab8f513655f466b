import { TokenRefreshError } from '../shared/errors.js';
import { isTokenSet, notATokenSet } from './token-set.js';
import type { TokenSet, TokenStorage } from './types.js';

/**
 * The app's `TokenStorage` as the manager uses it: each method may be synchronous or not, every
 * failure becomes a `STORAGE_FAILED` error with the storage's error as `cause`, and what `load`
 * returns is checked.
 */
export class TokenStore {
  readonly #storage: TokenStorage;

  constructor(storage: TokenStorage) {
    this.#storage = storage;
  }

  /**
   * What the storage holds: at once when its `load` is synchronous (`memoryStorage`,
   * `webStorage`), so that the first operation needs no wait; otherwise a promise.
   * @throws {TokenRefreshError} `STORAGE_FAILED`, or `INVALID_TOKEN_SET` for a stored value that
   * is not a `TokenSet` (thrown, or the promise rejects).
   */
  read(): TokenSet | null | Promise<TokenSet | null> {
    let stored: unknown;
    try {
      stored = this.#storage.load();
    } catch (cause) {
      throw storageFailed('load', cause);
    }
    // Any thenable, not only this realm's Promise: storages wrap other libraries.
    if (typeof (stored as PromiseLike<unknown> | null)?.then !== 'function') return checked(stored);
    return Promise.resolve(stored).then(checked, (cause: unknown) => {
      throw storageFailed('load', cause);
    });
  }

  save(tokens: TokenSet): Promise<void> {
    return this.#call('save', () => this.#storage.save(tokens));
  }

  clear(): Promise<void> {
    return this.#call('clear', () => this.#storage.clear());
  }

  async #call<T>(method: keyof TokenStorage, call: () => T | Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (cause) {
      throw storageFailed(method, cause);
    }
  }
}

const storageFailed = (method: keyof TokenStorage, cause: unknown) =>
  new TokenRefreshError('STORAGE_FAILED', `TokenStorage.${method}() failed`, { cause });

function checked(stored: unknown): TokenSet | null {
  if (stored == null) return null;
  if (!isTokenSet(stored)) throw notATokenSet('TokenStorage.load()', stored);
  return stored;
}
