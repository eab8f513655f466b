/**
 * Every error this package creates extends {@link TokenRefreshError} and carries a stable
 * `code`. Switch on `code`, or use the static `is()` guards: they check a brand shared by
 * every copy of the package, so they keep working where `instanceof` fails (two installed
 * copies, or errors crossing a realm).
 *
 * No message ever contains a token: the original failure is kept in `cause`.
 */
export type TokenRefreshErrorCode =
  /** The refresh token was rejected: the user must sign in again. */
  | 'SESSION_EXPIRED'
  /** A refresh failed transiently (network, 5xx, timeout): the session is kept. */
  | 'REFRESH_FAILED'
  /** An option passed to a constructor or factory is invalid. */
  | 'INVALID_OPTION'
  /** The refresh function or `setTokens` received something that is not a `TokenSet`. */
  | 'INVALID_TOKEN_SET'
  /** The configured `TokenStorage` threw or rejected. */
  | 'STORAGE_FAILED';

const BRAND = Symbol.for('apollo-token-refresh.error');

function hasCode(error: unknown, code?: TokenRefreshErrorCode): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const branded = error as { [BRAND]?: unknown; code?: unknown };
  return branded[BRAND] === true && (code === undefined || branded.code === code);
}

/** Base class of every error thrown or delivered by apollo-token-refresh. */
export class TokenRefreshError extends Error {
  /** Stable, machine-readable reason. */
  readonly code: TokenRefreshErrorCode;

  constructor(code: TokenRefreshErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    // Explicit names survive minification of the consumer's bundle.
    this.name = 'TokenRefreshError';
  }

  /** True for any error created by any copy of this package. */
  static is(error: unknown): error is TokenRefreshError {
    return hasCode(error);
  }
}

Object.defineProperty(TokenRefreshError.prototype, BRAND, { value: true });

/**
 * The session is over (the refresh token was rejected, or `logout` was called while the
 * operation waited): the user must sign in again. `code === 'SESSION_EXPIRED'`.
 */
export class SessionExpiredError extends TokenRefreshError {
  declare readonly code: 'SESSION_EXPIRED';

  constructor(message = 'The session has ended; sign in again', options?: { cause?: unknown }) {
    super('SESSION_EXPIRED', message, options);
    this.name = 'SessionExpiredError';
  }

  static override is(error: unknown): error is SessionExpiredError {
    return hasCode(error, 'SESSION_EXPIRED');
  }
}

/**
 * A refresh failed for a reason that does not end the session (network error, 5xx, timeout,
 * malformed response): tokens are kept and the next operation tries again.
 * `code === 'REFRESH_FAILED'`.
 */
export class RefreshFailedError extends TokenRefreshError {
  declare readonly code: 'REFRESH_FAILED';

  constructor(
    message = 'The token refresh failed; the session is kept',
    options?: { cause?: unknown },
  ) {
    super('REFRESH_FAILED', message, options);
    this.name = 'RefreshFailedError';
  }

  static override is(error: unknown): error is RefreshFailedError {
    return hasCode(error, 'REFRESH_FAILED');
  }
}

/** An option has an invalid value. `code === 'INVALID_OPTION'`. Thrown synchronously. */
export class InvalidOptionError extends TokenRefreshError {
  declare readonly code: 'INVALID_OPTION';

  constructor(message: string) {
    super('INVALID_OPTION', message);
    this.name = 'InvalidOptionError';
  }

  static override is(error: unknown): error is InvalidOptionError {
    return hasCode(error, 'INVALID_OPTION');
  }
}

/** A value that should be a `TokenSet` is not one. `code === 'INVALID_TOKEN_SET'`. */
export class InvalidTokenSetError extends TokenRefreshError {
  declare readonly code: 'INVALID_TOKEN_SET';

  constructor(message: string) {
    super('INVALID_TOKEN_SET', message);
    this.name = 'InvalidTokenSetError';
  }

  static override is(error: unknown): error is InvalidTokenSetError {
    return hasCode(error, 'INVALID_TOKEN_SET');
  }
}

/** The `TokenStorage` threw or rejected. `code === 'STORAGE_FAILED'`. */
export class StorageError extends TokenRefreshError {
  declare readonly code: 'STORAGE_FAILED';

  constructor(operation: 'load' | 'save' | 'clear', cause: unknown) {
    super('STORAGE_FAILED', `TokenStorage.${operation}() failed`, { cause });
    this.name = 'StorageError';
  }

  static override is(error: unknown): error is StorageError {
    return hasCode(error, 'STORAGE_FAILED');
  }
}
