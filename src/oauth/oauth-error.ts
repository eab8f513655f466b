import { TokenRefreshError } from '../shared/errors.js';

/**
 * An error answer of the token endpoint (RFC 6749 §5.2), or a failed answer of the issuer's
 * OpenID configuration: the `cause` of the `SessionExpiredError` or `RefreshFailedError` that
 * `oauth2Refresh` rejects with. `code === 'OAUTH_ERROR'`; check it with `OAuthError.is(error)`,
 * which works across copies of the package, where `instanceof` may fail.
 *
 * Its message names the HTTP status and the OAuth error code only: `error_description` is
 * server text that could quote what was sent, so it is not kept.
 */
export class OAuthError extends TokenRefreshError {
  static override readonly code = 'OAUTH_ERROR';
  declare readonly code: 'OAUTH_ERROR';
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
    super('OAUTH_ERROR', message);
  }
}
