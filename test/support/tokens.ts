/**
 * Helpers for unit tests of the token core: real JWTs, refresh functions that fail or hang the
 * way real ones do, recording and Map-backed storages, a manager over a stored session.
 */
import { SignJWT } from 'jose';
import { vi } from 'vitest';
import { TokenManager } from '../../src/token/manager.js';
import type {
  RefreshContext,
  RefreshFunction,
  TokenSet,
  TokenStorage,
} from '../../src/token/types.js';
import { deferred } from './deferred.js';

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

/** A stored session whose access token expired long ago: the first use refreshes. */
export const EXPIRED_SESSION: TokenSet = {
  accessToken: 'expired-access',
  refreshToken: 'r1',
  expiresAt: 0,
};

/**
 * A manager over a recording storage holding `stored` (by default `EXPIRED_SESSION`), and what
 * it emitted: `events` as `refreshFailed:<code>` and `logout`, `errors` of `refreshFailed`.
 */
export function managerOverStoredSession(
  refresh: RefreshFunction,
  options: Partial<TokenManager.Options> = {},
  stored: TokenSet | null = { ...EXPIRED_SESSION },
) {
  const storage = recordingStorage(stored);
  const manager = new TokenManager({ refresh, storage, ...options });
  const events: string[] = [];
  const errors: unknown[] = [];
  manager.on('refreshFailed', (error) => {
    events.push(`refreshFailed:${error.code}`);
    errors.push(error);
  });
  manager.on('logout', () => events.push('logout'));
  return { manager, storage, events, errors };
}

/**
 * A refresh function that answers only when the test settles `answer` (never, if it does not),
 * ignoring its abort signal; `signals` holds each call's signal.
 */
export function heldRefresh() {
  const answer = deferred<TokenSet>();
  const signals: AbortSignal[] = [];
  const refresh = vi.fn((context: RefreshContext) => {
    signals.push(context.signal);
    return answer.promise;
  });
  return { refresh, answer, signals };
}
