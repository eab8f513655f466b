import { ApolloLink } from '@apollo/client';
import { type HeaderOptions, resolveHeader } from '../shared/header.js';
import type { TokenManager } from '../token/manager.js';
import { authorize, holdTaken, isSkipped, offerHold } from './operation-state.js';
import { sendAfter } from './send-after.js';

/**
 * Sets the auth header of every operation from the manager's current token. When no token is
 * usable without waiting (it is expiring, or a refresh runs), a downstream
 * `ProactiveRefreshLink` holds the operation; without one, this link waits for the token.
 * Logged out (no token): the operation goes out without the header. Skipped with
 * `context: { tokenRefresh: { skip: true } }`.
 */
export class AuthLink extends ApolloLink {
  constructor(manager: TokenManager, options: AuthLink.Options = {}) {
    const header = resolveHeader(options);
    super((operation, forward) => {
      const context = operation.getContext();
      if (isSkipped(operation, context)) return forward(operation);
      // Hot path: a usable token now. No promise hop, no extra Observable, one context copy.
      const token = manager.peekAccessToken();
      if (token !== undefined) {
        authorize(operation, token, header, context);
        return forward(operation);
      }
      // Links build their part of the chain synchronously in `forward`, and nothing is sent
      // before a subscribe: so whether a downstream link took the hold is known at once, and the
      // chain built to find out is dropped unsent when none did.
      offerHold(operation);
      let held: ReturnType<typeof forward> | undefined;
      try {
        held = forward(operation);
      } catch {
        // Built again after the wait below, where the error reaches the operation.
      }
      if (holdTaken(operation) && held) return held;
      return sendAfter(manager.getAccessToken(), (fresh) => {
        authorize(operation, fresh, header);
        return forward(operation);
      });
    });
  }
}

export declare namespace AuthLink {
  /** Options of `new AuthLink(manager, options)`. */
  interface Options extends HeaderOptions {}
}
