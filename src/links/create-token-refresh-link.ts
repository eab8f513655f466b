import { ApolloLink } from '@apollo/client';
import type { TokenManager } from '../token/manager.js';
import { AuthErrorLink } from './auth-error-link.js';
import { AuthLink } from './auth-link.js';
import { ProactiveRefreshLink } from './proactive-refresh-link.js';

/**
 * The whole HTTP chain: `AuthLink` → `ProactiveRefreshLink` → `AuthErrorLink`, sharing one set
 * of options. Put it before the terminating link:
 * `ApolloLink.from([createTokenRefreshLink(manager), httpLink])`.
 */
export function createTokenRefreshLink(
  manager: TokenManager,
  options: createTokenRefreshLink.Options = {},
): ApolloLink {
  return ApolloLink.from([
    // An operation without a usable token waits in the ProactiveRefreshLink's queue, not here.
    new AuthLink(manager, { ...options, waitForToken: false }),
    new ProactiveRefreshLink(manager, options),
    new AuthErrorLink(manager, options),
  ]);
}

export declare namespace createTokenRefreshLink {
  /** The options of the three links, in one object. */
  interface Options
    extends Omit<AuthLink.Options, 'waitForToken'>,
      ProactiveRefreshLink.Options,
      AuthErrorLink.Options {}
}
