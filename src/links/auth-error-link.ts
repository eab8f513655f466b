import { ApolloLink } from '@apollo/client';
import type { HeaderOptions } from '../shared/header.js';
import type { TokenManager } from '../token/manager.js';
import { carriedToken, isRetry, isSkipped } from './operation-state.js';
import { type RetryOnceOptions, resolveRetrySettings, sendWithOneRetry } from './retry-once.js';

/**
 * Reactive refresh: when the server rejects the token an operation carried, refreshes once
 * (shared with every other operation that failed with the same token) and retries the
 * operation once with the new token. A second auth failure reaches the app unchanged. A stream
 * (multipart subscription, `@defer`) is retried only if it failed before its first chunk.
 * Without an `AuthLink` in front (an auth link of the app's own), it writes the new token into
 * its own `header`/`format` for the retry, never resending the rejected one.
 */
export class AuthErrorLink extends ApolloLink {
  constructor(manager: TokenManager, options: AuthErrorLink.Options = {}) {
    const settings = resolveRetrySettings(manager, options);
    super((operation, forward) => {
      // On its retry already: a retry link upstream sent it again. No second refresh.
      if (isSkipped(operation) || isRetry(operation)) return forward(operation);
      // What an auth link of the app's own most likely sent: the manager's token at this moment.
      const tokenWhenSent = carriedToken(operation) ?? manager.peekAccessToken();
      return sendWithOneRetry(operation, forward, tokenWhenSent, settings);
    });
  }
}

export declare namespace AuthErrorLink {
  /** Options of `new AuthErrorLink(manager, options)`. */
  interface Options extends HeaderOptions, RetryOnceOptions {}
}
