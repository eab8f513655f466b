import { isTokenSet } from './token-set.js';
import type { TokenSet, TokenStorage } from './types.js';

/** Keeps tokens in memory only (the default): each `TokenManager` gets its own, nothing is shared. */
export function memoryStorage(initial?: TokenSet): TokenStorage {
  let tokens = initial ?? null;
  return {
    load: () => tokens,
    save(next) {
      tokens = next;
    },
    clear() {
      tokens = null;
    },
  };
}

/**
 * Keeps tokens as JSON under one key of a Web Storage (`localStorage`, `sessionStorage`). A value
 * that is not valid JSON or not a `TokenSet` (corrupt, hand-edited, older format) loads as `null`.
 * Errors of the storage itself (quota, disabled storage) surface as `STORAGE_FAILED` errors.
 */
export function webStorage(storage: Storage, key = 'apollo-token-refresh'): TokenStorage {
  return {
    load() {
      const raw = storage.getItem(key); // outside `try`: storage errors are not "corrupt value"
      try {
        const stored: unknown = JSON.parse(raw as string);
        return isTokenSet(stored) ? stored : null;
      } catch {
        return null;
      }
    },
    save: (tokens) => storage.setItem(key, JSON.stringify(tokens)),
    clear: () => storage.removeItem(key),
  };
}
