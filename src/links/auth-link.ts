import { ApolloLink } from '@apollo/client';
import { check, checkFn } from '../internal/check.js';
import type { TokenManager } from '../token/manager.js';
import { stateOf } from './state.js';
import { after } from './util.js';

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
    /** `headers` with the auth header set for `token`, or removed for `null`. */
    const withToken = (headers: Record<string, string> | undefined, token: string | null) => {
      // Not `{ ...headers }`: V8 runs that copy and the added key more than ten times slower,
      // on the hot path of every operation (bench/ S3).
      const next: Record<string, string> = Object.assign({}, headers);
      if (token) next[h] = format(token);
      else delete next[h];
      return next;
    };
    const apply = (op: ApolloLink.Operation, token: string | null) => {
      stateOf(op).token = token;
      op.setContext(({ headers }) => ({ headers: withToken(headers, token) }));
    };
    super((op, forward) => {
      const context = op.getContext();
      const state = stateOf(op, context);
      if (state.skip) return forward(op);
      state.apply = apply;
      if (manager.status === 'refreshing') {
        // Let a downstream ProactiveRefreshLink hold the operation in its queue and fetch the
        // token when the refresh settles. Links build their request on `forward`, synchronously,
        // so the flag tells at once whether one took it; if not, wait for the token here.
        state.defer = true;
        const held = forward(op);
        if (!state.defer) return held;
        state.defer = false;
      }
      // Hot path: a usable token now. No promise hop, no extra Observable, one context copy.
      // (`?.`: managers from another copy of the package may lack it.)
      const token = manager.peekAccessToken?.();
      if (token === undefined) {
        return after(manager.getAccessToken(), (t) => {
          apply(op, t);
          return forward(op);
        });
      }
      state.token = token;
      op.setContext({ headers: withToken(context.headers, token) });
      return forward(op);
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
