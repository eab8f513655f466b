import { TokenRefreshError } from '../token/errors.js';

/**
 * Throws an `INVALID_OPTION` `TokenRefreshError` unless `ok`. The message names the option and
 * shows the bad value only when it is a number, boolean or nullish: anything else could be (or
 * hold) a token, so only its type is shown.
 */
export const check = (ok: unknown, option: string, must: string, value: unknown) => {
  if (!ok) {
    const v = typeof value;
    throw new TokenRefreshError(
      'INVALID_OPTION',
      `Option ${option} must be ${must}, got ${v === 'number' || v === 'boolean' || value == null ? value : v}`,
    );
  }
};

export const isFn = (v: unknown): v is (...args: never[]) => unknown => typeof v === 'function';

/** `check` for the most common case. */
export const checkFn = (value: unknown, option: string) =>
  check(isFn(value), option, 'a function', value);
