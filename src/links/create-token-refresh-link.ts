import { ApolloLink } from '@apollo/client';
import type { TokenManager } from '../token/manager.js';
import { AuthErrorLink } from './auth-error-link.js';
import { AuthLink } from './auth-link.js';
import { isUntouched, writeHeader } from './operation-state.js';
import { ProactiveRefreshLink } from './proactive-refresh-link.js';
import { resolveRetrySettings, sendWithOneRetry } from './retry-once.js';

/**
 * The whole HTTP chain: `AuthLink` → `ProactiveRefreshLink` → `AuthErrorLink`, sharing one set
 * of options. Put it before the terminating link:
 * `ApolloLink.from([createTokenRefreshLink(manager), httpLink])`.
 */
export function createTokenRefreshLink(
  manager: TokenManager,
  options: createTokenRefreshLink.Options = {},
): ApolloLink {
  const proactive = new ProactiveRefreshLink(manager, options);
  const chain = ApolloLink.from([
    new AuthLink(manager, options),
    proactive,
    new AuthErrorLink(manager, options),
  ]);
  const retrySettings = resolveRetrySettings(manager, options);
  // The hot path (a usable token, nothing held) in one step, deciding what the three links
  // would: walking an operation through them costs about 2.5 µs more (bench S3). Any other
  // operation takes the walk.
  return new ApolloLink((operation, forward) => {
    const context = operation.getContext();
    const token =
      isUntouched(operation, context) && !proactive.isHolding
        ? manager.peekAccessToken()
        : undefined;
    if (token === undefined) return chain.request(operation, forward);
    writeHeader(operation, token, retrySettings.header, context);
    return sendWithOneRetry(operation, forward, token, retrySettings);
  });
}

export declare namespace createTokenRefreshLink {
  /** The options of the three links, in one object. */
  interface Options extends AuthLink.Options, ProactiveRefreshLink.Options, AuthErrorLink.Options {}
}
