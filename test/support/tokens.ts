/**
 * Helpers for unit tests of the token core: real JWTs, refresh functions that fail the way real
 * ones do, recording storages.
 */
import { SignJWT } from 'jose';
import { vi } from 'vitest';
import type { RefreshFunction, TokenSet, TokenStorage } from '../../src/token/types.js';

const secret = new TextEncoder().encode('token-core-test-secret-0123456789abcdef');
let serial = 0;

/**
 * A real HS256 JWT of `subject`; `expMs` is an absolute epoch-ms expiry (rounded down to
 * seconds), or none.
 */
export async function jwt(expMs?: number, subject = 'user-1'): Promise<string> {
  const token = new SignJWT({ sub: subject })
    .setProtectedHeader({ alg: 'HS256' })
    .setJti(`jti-${++serial}`);
  if (expMs !== undefined) token.setExpirationTime(Math.floor(expMs / 1000));
  return token.sign(secret);
}

/** An error shaped like a failed HTTP response, as a refresh function would throw it. */
export const httpError = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });

/** A refresh function (a spy) that always rejects with `error`. */
export const failingRefresh = (error: unknown) =>
  vi.fn<RefreshFunction>(async () => {
    throw error;
  });

/** A `TokenStorage` that records calls and can be told to fail. */
export function recordingStorage(initial: TokenSet | null = null) {
  let value = initial;
  const calls: string[] = [];
  const fail = { load: false, save: false, clear: false };
  const storage: TokenStorage & {
    calls: string[];
    fail: typeof fail;
    readonly value: TokenSet | null;
  } = {
    calls,
    fail,
    get value() {
      return value;
    },
    async load() {
      calls.push('load');
      if (fail.load) throw new Error('disk on fire');
      return value;
    },
    async save(tokens) {
      calls.push('save');
      if (fail.save) throw new Error('quota exceeded');
      value = tokens;
    },
    async clear() {
      calls.push('clear');
      if (fail.clear) throw new Error('locked');
      value = null;
    },
  };
  return storage;
}

/** A Map-backed Web `Storage` stub. */
export class MapStorage implements Storage {
  #map = new Map<string, string>();
  get length() {
    return this.#map.size;
  }
  clear() {
    this.#map.clear();
  }
  getItem(key: string) {
    return this.#map.get(key) ?? null;
  }
  key(index: number) {
    return [...this.#map.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.#map.delete(key);
  }
  setItem(key: string, value: string) {
    this.#map.set(key, String(value));
  }
}
