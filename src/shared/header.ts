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
   * for every request that carries the same token.
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
  // The app's `format` runs once per token, not once per operation.
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
