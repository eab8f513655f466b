/**
 * Every error this package creates is a {@link TokenRefreshError} with a stable `code`. Switch on
 * `code`, or use the static `is()` guards: they check a brand shared by every copy of the
 * package, so they keep working where `instanceof` fails (two installed copies, or errors
 * crossing a realm).
 *
 * No message ever contains a token: the original failure is kept in `cause`.
 */
export type TokenRefreshErrorCode =
  /** The refresh token was rejected: the user must sign in again. {@link SessionExpiredError}. */
  | 'SESSION_EXPIRED'
  /** A refresh failed transiently (network, 5xx, timeout): the session is kept. {@link RefreshFailedError}. */
  | 'REFRESH_FAILED'
  /**
   * An option or argument is invalid (a bad option, a missing `manager`, an unknown event name);
   * thrown synchronously as a `TokenRefreshError`. The message names what was wrong and what was
   * expected, showing a bad value only when it is a number, boolean or nullish.
   */
  | 'INVALID_OPTION'
  /**
   * Something that should be a `TokenSet` is not one (passed to `setTokens`, loaded from
   * storage, returned by `refresh`). A `TokenRefreshError`; as the `cause` of a
   * `RefreshFailedError` when `refresh` returned it.
   */
  | 'INVALID_TOKEN_SET'
  /** The configured `TokenStorage` threw or rejected; a `TokenRefreshError` with the storage's error as `cause`. */
  | 'STORAGE_FAILED'
  /**
   * A refresh returned an access token of another user (another JWT `sub`): the new tokens are
   * never used and the session ends. The `cause` of the `SessionExpiredError` waiters get.
   */
  | 'SUBJECT_CHANGED'
  /** The `TokenManager` was disposed: its methods reject, in-flight waiters too. A `TokenRefreshError`. */
  | 'DISPOSED'
  /**
   * An OAuth 2.0 token endpoint (or an issuer's discovery document) answered with an error:
   * the `cause` of what `oauth2Refresh` rejects with. An `OAuthError` from
   * `apollo-token-refresh/oauth`, with the HTTP `status` and the OAuth `error` code.
   */
  | 'OAUTH_ERROR';

const BRAND = Symbol.for('apollo-token-refresh.error');

/** The message of a `SessionExpiredError` that names no cause. */
export const SESSION_ENDED = 'Session ended; sign in again';
/** The message of a `RefreshFailedError` that names no cause. */
export const REFRESH_FAILED = 'Token refresh failed; session kept';

/**
 * Base class of every error thrown or delivered by apollo-token-refresh. Codes without a
 * subclass of their own (`INVALID_OPTION`, `INVALID_TOKEN_SET`, `STORAGE_FAILED`,
 * `SUBJECT_CHANGED`, `DISPOSED`) are plain `TokenRefreshError`s: check them with
 * `TokenRefreshError.is(e) && e.code === '…'`.
 */
export class TokenRefreshError extends Error {
  /** The code `is()` accepts; none on the base class, which accepts every code. */
  declare static readonly code?: TokenRefreshErrorCode;
  // Explicit names survive minification of the consumer's bundle.
  override name = 'TokenRefreshError';

  constructor(
    /** Stable, machine-readable reason. */
    readonly code: TokenRefreshErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /**
   * True for an error of this class created by any copy of this package: `TokenRefreshError.is`
   * accepts every code, `SessionExpiredError.is` only `SESSION_EXPIRED`, and so on.
   */
  static is<T extends TokenRefreshError>(
    this: { readonly prototype: T; readonly code?: TokenRefreshErrorCode | undefined },
    error: unknown,
  ): error is T {
    const branded = error as { [BRAND]?: unknown; code?: unknown } | null | undefined;
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class `is` was called on, so subclasses inherit a guard for their own code
    return branded?.[BRAND] === true && (!this.code || branded.code === this.code);
  }
}

Object.defineProperty(TokenRefreshError.prototype, BRAND, { value: true });

/**
 * The session is over (the refresh token was rejected, or `logout` was called while the
 * operation waited): the user must sign in again. `code === 'SESSION_EXPIRED'`.
 */
export class SessionExpiredError extends TokenRefreshError {
  static override readonly code = 'SESSION_EXPIRED';
  declare readonly code: 'SESSION_EXPIRED';

  override name = 'SessionExpiredError';

  constructor(message = SESSION_ENDED, options?: { cause?: unknown }) {
    super('SESSION_EXPIRED', message, options);
  }
}

/**
 * A refresh failed for a reason that does not end the session (network error, 5xx, timeout,
 * malformed response): tokens are kept and the next operation tries again.
 * `code === 'REFRESH_FAILED'`.
 */
export class RefreshFailedError extends TokenRefreshError {
  static override readonly code = 'REFRESH_FAILED';
  declare readonly code: 'REFRESH_FAILED';

  override name = 'RefreshFailedError';

  constructor(message = REFRESH_FAILED, options?: { cause?: unknown }) {
    super('REFRESH_FAILED', message, options);
  }
}
