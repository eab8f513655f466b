import { ApolloLink } from '@apollo/client';
import { check, checkFn } from '../internal/check.js';
import type { TokenManager } from '../token/manager.js';
import { after, patch } from './util.js';

/**
 * Sets the auth header of every operation from the manager's current token, refreshing first
 * when the token is expiring. Logged out (no token): the operation goes out without the header.
 * Skipped with `context: { tokenRefresh: { skip: true } }`.
 */
export class AuthLink extends ApolloLink {
  constructor(
    manager: TokenManager,
    { header: h = 'authorization', format = (t: string) => `Bearer ${t}` }: AuthLink.Options = {},
  ) {
    check(h && typeof h === 'string', 'header', 'a non-empty string', h);
    checkFn(format, 'format');
    super((op, forward) => {
      const c = op.getContext();
      if (c.tokenRefresh?.skip) return forward(op);
      // Stored in the context so later links can re-apply the header after a hold or a retry.
      const apply = (token: string | null) =>
        op.setContext(({ headers, tokenRefresh }) => {
          const next: Record<string, string> = { ...headers };
          if (token) next[h] = format(token);
          else delete next[h];
          return { headers: next, tokenRefresh: { ...tokenRefresh, token, apply } };
        });
      const send = (token: string | null) => {
        apply(token);
        return forward(op);
      };
      if (manager.status === 'refreshing') {
        // Let a downstream ProactiveRefreshLink hold the operation in its queue and fetch the
        // token when the refresh settles. Links build their request on `forward`, synchronously,
        // so the flag tells at once whether one took it; if not, wait for the token here.
        patch(op, { apply, defer: true });
        const held = forward(op);
        if (!op.getContext().tokenRefresh?.defer) return held;
      }
      // Hot path: a usable token now. No promise hop, no extra Observable. (`?.`: managers from
      // another copy of the package may lack it.)
      const token = manager.peekAccessToken?.();
      return token !== undefined ? send(token) : after(manager.getAccessToken(), send);
    });
  }
}

export declare namespace AuthLink {
  /** Options of `new AuthLink(manager, options)`. */
  interface Options {
    /**
     * Name of the request header that carries the token.
     * @default 'authorization'
     */
    header?: string;
    /**
     * Turns the access token into the header value.
     * @default token => `Bearer ${token}`
     */
    format?: (token: string) => string;
  }
}
