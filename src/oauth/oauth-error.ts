const BRAND = Symbol.for('apollo-token-refresh.oauth-error');

/**
 * An error answer of the token endpoint (RFC 6749 §5.2), or a failed answer of the issuer's
 * OpenID configuration: the `cause` of the `SessionExpiredError` or `RefreshFailedError` that
 * `oauth2Refresh` rejects with. Check it with `OAuthError.is(error)`: a brand shared by every
 * copy of the package, where `instanceof` may fail.
 *
 * Its message names the HTTP status and the OAuth error code only: `error_description` is
 * server text that could quote what was sent, so it is not kept.
 */
export class OAuthError extends Error {
  // Explicit, so the name survives minification of the app's bundle.
  override name = 'OAuthError';

  constructor(
    message: string,
    /** The HTTP status of the answer. */
    readonly status: number,
    /**
     * The OAuth `error` code (`invalid_grant`, `invalid_client`, `temporarily_unavailable`…);
     * `undefined` when the answer had none, or one that is not a plain lowercase code.
     */
    readonly error: string | undefined,
  ) {
    super(message);
  }

  /** True for an `OAuthError` created by any copy of this package. */
  static is(value: unknown): value is OAuthError {
    return (value as { [BRAND]?: unknown } | null | undefined)?.[BRAND] === true;
  }
}

Object.defineProperty(OAuthError.prototype, BRAND, { value: true });
