import { TokenRefreshError } from './errors.js';

/**
 * Throws an `INVALID_OPTION` `TokenRefreshError` unless `ok`. The message names the option and
 * shows the bad value only when it is a number, boolean or nullish: anything else could be (or
 * hold) a token, so only its type is shown.
 */
export function check(ok: unknown, option: string, expected: string, value: unknown): void {
  if (ok) return;
  const type = typeof value;
  const shown = type === 'number' || type === 'boolean' || value == null ? value : type;
  throw new TokenRefreshError(
    'INVALID_OPTION',
    `Option ${option} must be ${expected}, got ${shown}`,
  );
}

export const isFunction = (value: unknown): value is (...args: never[]) => unknown =>
  typeof value === 'function';

/** `check` for the most common case. */
export function checkFunction(value: unknown, option: string): void {
  check(isFunction(value), option, 'a function', value);
}

/**
 * Throws an `INVALID_OPTION` `TokenRefreshError` unless `manager` has each of `methods`: a
 * `TokenManager` of this copy of the package or another (or a test double). `user` names the
 * class or function that needs it.
 */
export function checkManager(manager: unknown, user: string, methods: readonly string[]): void {
  const candidate = manager as Record<string, unknown> | null | undefined;
  const isObject = typeof candidate === 'object' && candidate !== null;
  const missing = isObject ? methods.find((method) => !isFunction(candidate[method])) : undefined;
  if (isObject && missing === undefined) return;
  const got = isObject
    ? `an object without ${missing}()`
    : candidate === null
      ? 'null'
      : typeof candidate;
  throw new TokenRefreshError(
    'INVALID_OPTION',
    `${user} needs a TokenManager as its first argument, got ${got}`,
  );
}
