import { check, checkFunction } from './check.js';

/** Where and how the links put the access token on a request. */
export interface HeaderOptions {
  /**
   * Name of the request header that carries the token.
   * @default 'authorization'
   */
  header?: string;
  /**
   * Turns the access token into the header value. Called once per token: the value is reused
   * for every operation that carries the same token.
   * @default token => `Bearer ${token}`
   */
  format?: (token: string) => string;
}

/** `HeaderOptions` with the defaults applied. */
export interface AuthorizationHeader {
  readonly name: string;
  /** The header value for `token`, formatted once per token. */
  valueFor(token: string): string;
}

const bearer = (token: string) => `Bearer ${token}`;

/**
 * Applies the defaults and validates the options.
 * @throws {TokenRefreshError} `INVALID_OPTION`, naming the option.
 */
export function resolveHeader({
  header = 'authorization',
  format = bearer,
}: HeaderOptions = {}): AuthorizationHeader {
  check(typeof header === 'string' && header !== '', 'header', 'a non-empty string', header);
  checkFunction(format, 'format');
  // One string per token rather than one per operation: every request would otherwise build
  // its own, and the HTTP stack flattens and validates each (bench S3).
  let lastToken: string | undefined;
  let lastValue = '';
  return {
    name: header,
    valueFor(token) {
      if (token !== lastToken) {
        lastValue = format(token);
        lastToken = token;
      }
      return lastValue;
    },
  };
}

/** A copy of `headers` with the header set for `token`, or removed for `null`. */
export function headersWithToken(
  headers: Record<string, string> | undefined,
  token: string | null,
  header: AuthorizationHeader,
): Record<string, string> {
  // Not `{ ...headers }`: V8 runs that copy and the added key more than ten times slower, on
  // the hot path of every operation (bench S3).
  const next: Record<string, string> = Object.assign({}, headers);
  if (token) next[header.name] = header.valueFor(token);
  else delete next[header.name];
  return next;
}
