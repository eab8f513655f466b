import { SignJWT } from 'jose';
import type { TokenSet, TokenStorage } from '../../src/token/types.js';

const secret = new TextEncoder().encode('token-core-test-secret-0123456789abcdef');
let serial = 0;

/** A real HS256 JWT; `expMs` is an absolute epoch-ms expiry (rounded down to seconds), or none. */
export async function jwt(expMs?: number): Promise<string> {
  const token = new SignJWT({ sub: 'user-1' })
    .setProtectedHeader({ alg: 'HS256' })
    .setJti(`jti-${++serial}`);
  if (expMs !== undefined) token.setExpirationTime(Math.floor(expMs / 1000));
  return token.sign(secret);
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** An error shaped like a failed HTTP response. */
export const httpError = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });

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
    async save(t) {
      calls.push('save');
      if (fail.save) throw new Error('quota exceeded');
      value = t;
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

/** Lets pending promise callbacks run (bounded). */
export async function flush(rounds = 20) {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
