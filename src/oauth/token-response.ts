import { RefreshFailedError, SessionExpiredError, TokenRefreshError } from '../shared/errors.js';
import type { TokenSet } from '../token/types.js';
import { OAuthError } from './oauth-error.js';

/**
 * OAuth error codes that say "try again later" whatever the HTTP status: RFC 6749 defines them
 * for the authorization endpoint, where no status can carry them, and some servers answer them
 * from the token endpoint with a 400.
 */
const TRANSIENT_ERROR_CODES = new Set(['temporarily_unavailable', 'server_error']);

/**
 * Statuses of an answer that rejects this refresh for good: 400 and 401 are RFC 6749 §5.2's
 * (`invalid_grant`, `invalid_client`, `invalid_request`, `unauthorized_client`,
 * `unsupported_grant_type`, `invalid_scope`: retrying the same request cannot help), 403 is a
 * gateway's refusal. The same statuses the `TokenManager`'s default `isSessionEnded` accepts.
 */
const SESSION_ENDING_STATUSES = new Set([400, 401, 403]);

/**
 * OAuth error codes are short lowercase words (RFC 6749 §5.2 allows more characters); only
 * such a code is repeated in a message, so that a server that puts something else in `error`
 * (a token it was sent, say) never gets it into a log.
 */
const PLAIN_ERROR_CODE = /^[a-z_]{1,64}$/;

/**
 * The `TokenSet` of a token endpoint answer, or the error `oauth2Refresh` rejects with:
 * - 2xx: the tokens; an answer that is not a JSON object, or has no usable `access_token`, is a
 *   `TokenRefreshError` coded `INVALID_TOKEN_SET` naming the field (transient: retried);
 * - an OAuth error that ends the session (see `SESSION_ENDING_STATUSES`): `SessionExpiredError`;
 * - anything else (5xx, 429, `temporarily_unavailable`…): `RefreshFailedError`, which carries
 *   no HTTP status of its own, so the default `isSessionEnded` keeps the session even for
 *   `temporarily_unavailable` answered with a 400.
 * Each error carries an `OAuthError` as its `cause`, except the `INVALID_TOKEN_SET` ones.
 *
 * `requestedAt` is when the request left: `expires_in` counts from when the server answered,
 * so counting from before that errs on the early side.
 */
export function tokenSetFromAnswer(status: number, text: string, requestedAt: number): TokenSet {
  const body = parseJson(text);
  if (status >= 200 && status < 300) return readTokenSet(body, requestedAt);
  const code = errorCodeOf(body);
  const named = code === undefined ? `HTTP ${status}` : `${code} (HTTP ${status})`;
  const cause = new OAuthError(`Token endpoint answered ${named}`, status, code);
  if (!TRANSIENT_ERROR_CODES.has(code ?? '') && SESSION_ENDING_STATUSES.has(status)) {
    throw new SessionExpiredError(`Token endpoint rejected the refresh: ${named}; sign in again`, {
      cause,
    });
  }
  throw new RefreshFailedError(`Token endpoint failed: ${named}; session kept`, { cause });
}

/** Parses a 2xx answer; throws `INVALID_TOKEN_SET` naming the first field that is wrong. */
function readTokenSet(body: unknown, requestedAt: number): TokenSet {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidTokenSet('the answer is not a JSON object');
  }
  const {
    access_token: accessToken,
    refresh_token: refreshToken,
    expires_in: expiresIn,
  } = body as Record<string, unknown>;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw invalidTokenSet(
      accessToken === undefined
        ? 'access_token is missing'
        : 'access_token is not a non-empty string',
    );
  }
  // `null` is how some servers say "no new refresh token": the manager keeps the current one.
  if (refreshToken != null && (typeof refreshToken !== 'string' || refreshToken === '')) {
    throw invalidTokenSet('refresh_token is not a non-empty string');
  }
  const lifetimeSeconds = secondsOf(expiresIn);
  if (lifetimeSeconds === null) throw invalidTokenSet('expires_in is not a number of seconds');
  // token_type is not checked: the links send the token as their `format` option says, so a
  // provider that answers `bearer`, `Bearer` or leaves it out works alike.
  return {
    accessToken,
    ...(typeof refreshToken === 'string' && { refreshToken }),
    ...(lifetimeSeconds !== undefined && { expiresAt: requestedAt + lifetimeSeconds * 1000 }),
  };
}

/**
 * `expires_in` in seconds: `undefined` when absent (the manager reads the JWT), `null` when
 * unusable. A numeric string is accepted: some providers send one.
 */
function secondsOf(value: unknown): number | undefined | null {
  if (value == null) return undefined;
  const seconds = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

/** The parsed body; `undefined` when it is not JSON (an HTML error page, say). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorCodeOf(body: unknown): string | undefined {
  const code = (body as { error?: unknown } | null | undefined)?.error;
  return typeof code === 'string' && PLAIN_ERROR_CODE.test(code) ? code : undefined;
}

const invalidTokenSet = (problem: string) =>
  new TokenRefreshError('INVALID_TOKEN_SET', `Token endpoint answer: ${problem}`);
