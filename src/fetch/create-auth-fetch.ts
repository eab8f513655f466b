import { abortable } from '../shared/abort.js';
import { check, checkFunction, checkManager, isFunction } from '../shared/check.js';
import { type HeaderOptions, resolveHeader } from '../shared/header.js';
import type { TokenManager } from '../token/manager.js';
import { isResendable } from './resendable.js';

/**
 * What `createAuthFetch` needs of a `TokenManager`: structural, so a manager from another copy
 * of the package (or a test double) fits too.
 */
export type AuthFetchManager = Pick<TokenManager, 'getAccessToken' | 'refresh'>;

/**
 * Options of {@link createAuthFetch}. `header`/`format` as the links have them: the header
 * replaces one of that name set by the caller; without a token (logged out) the request goes
 * out as the caller built it.
 */
export interface AuthFetchOptions extends HeaderOptions {
  /**
   * The `fetch` that sends the requests (a polyfill, an instrumented one). Called unbound, as
   * browsers require of their own `fetch`.
   * @default globalThis.fetch, looked up at each call (so one patched later, e.g. by a mock, is used)
   */
  fetch?: typeof fetch;
  /**
   * Decides whether a response means "the token was rejected": the manager then refreshes (once
   * for every request rejected with the same token) and the request is sent once more.
   * @default response => response.status === 401
   */
  isAuthError?: (response: Response) => boolean;
}

const isRequest = (input: unknown): input is Request =>
  typeof Request === 'function' && input instanceof Request;

/**
 * A `fetch` that shares the manager's session with the GraphQL links: each request waits for a
 * usable token (joining a refresh in flight, refreshing an expiring token first) and carries it
 * in the auth header. A response that `isAuthError` accepts triggers
 * `manager.refresh({ failedToken })` with the token that request carried and exactly one retry
 * with the new token; a second rejection is returned as it is. A request whose body is a
 * one-shot `ReadableStream` is not retried: its auth error response is returned as it is. A
 * `Request` input is cloned before it is sent, so it can be. Nobody signed in: the request goes
 * out without the header, and its answer is returned as it is, 401 included (no refresh).
 *
 * `init.signal` (or the `Request`'s own signal) aborts the wait for a token as well as the
 * request. A failed refresh rejects the call with the manager's `SessionExpiredError` or
 * `RefreshFailedError`.
 *
 * @throws {TokenRefreshError} `INVALID_OPTION` when an option is invalid; the message names it.
 */
export function createAuthFetch(
  manager: AuthFetchManager,
  options: AuthFetchOptions = {},
): typeof fetch {
  checkManager(manager, 'createAuthFetch', ['getAccessToken', 'refresh']);
  const {
    fetch: send = (input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init),
    isAuthError = (response: Response) => response.status === 401,
  } = options ?? {};
  const given = options?.fetch;
  check(isFunction(given === undefined ? globalThis.fetch : given), 'fetch', 'a function', given);
  const header = resolveHeader(options ?? {});
  checkFunction(isAuthError, 'isAuthError');

  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = isRequest(input) ? input : undefined;
    const signal = init?.signal ?? request?.signal;
    const attempt = (target: RequestInfo | URL, token: string | null) => {
      if (!token) return send(target, init);
      // Headers given in `init` replace a Request's own, as they would without us.
      const headers = new Headers(init?.headers ?? request?.headers);
      headers.set(header.name, header.valueFor(token));
      return send(target, { ...init, headers });
    };

    const token = await abortable(signal, () => manager.getAccessToken());
    const resendable = init?.body === undefined || isResendable(init.body);
    // A Request's body can be read once: the copy is what a retry sends.
    const copy = resendable && !init?.body ? request?.clone() : undefined;
    const response = await attempt(input, token);
    // Sent without a session: nothing to refresh, the caller gets the answer as it came.
    if (!token || !resendable || !isAuthError(response)) return response;
    // Discarded: free its connection instead of waiting for the garbage collector.
    response.body?.cancel().catch(() => {});
    const fresh = await abortable(signal, () => manager.refresh({ failedToken: token }));
    return attempt(copy ?? input, fresh);
  };
}
