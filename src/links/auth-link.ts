import { ApolloLink } from '@apollo/client';
import { check, checkManager } from '../shared/check.js';
import { type HeaderOptions, resolveHeader } from '../shared/header.js';
import type { TokenManager } from '../token/manager.js';
import { isSkipped, setToken } from './context.js';
import { sendAfter } from './send-after.js';

/**
 * Sets the auth header of every operation from the manager's token: at once while the token is
 * usable, otherwise after `manager.getAccessToken()` (which refreshes an expiring token first,
 * or joins the refresh in flight), so that no operation leaves with a token that is expiring.
 * Signed out: the operation goes out without the header.
 *
 * Context: reads `tokenRefresh.skip` and `headers`; writes `headers[header]`.
 */
export class AuthLink extends ApolloLink {
  /** @throws {TokenRefreshError} `INVALID_OPTION` for a missing manager or an invalid option, naming it. */
  constructor(manager: TokenManager, options: AuthLink.Options = {}) {
    checkManager(manager, 'AuthLink', ['peekAccessToken', 'getAccessToken']);
    const header = resolveHeader(options);
    const { waitForToken = true } = options;
    check(typeof waitForToken === 'boolean', 'waitForToken', 'a boolean', waitForToken);
    super((operation, forward) => {
      const context = operation.getContext();
      if (isSkipped(context)) return forward(operation);
      const token = manager.peekAccessToken();
      if (token !== undefined) {
        setToken(operation, token, header, context.headers);
        return forward(operation);
      }
      // No token is usable now: it is expiring, a refresh runs, or the tokens are still loading.
      if (!waitForToken) return forward(operation);
      return sendAfter(manager.getAccessToken(), (fresh) => {
        setToken(operation, fresh, header);
        return forward(operation);
      });
    });
  }
}

export declare namespace AuthLink {
  /** Options of `new AuthLink(manager, options)`. */
  interface Options extends HeaderOptions {
    /**
     * Whether an operation that has no usable token yet (it is expiring, a refresh runs, or the
     * tokens are still loading) waits in this link for `manager.getAccessToken()`. `false` sends
     * it on at once, without the header, for a `ProactiveRefreshLink` placed right after this
     * link: the operation then waits in that link's queue (bounded by its `concurrency`), which
     * writes the header when the refresh settles. `createTokenRefreshLink` sets it to `false`.
     * Without a `ProactiveRefreshLink` after it, leave it `true`.
     * @default true
     */
    waitForToken?: boolean;
  }
}
