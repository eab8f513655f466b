import type { ApolloLink, DefaultContext } from '@apollo/client';

/**
 * What the token refresh links know about one operation. Kept beside the operation instead of
 * in its context: `getContext()` copies and freezes the whole context on every call, a cost
 * each link would pay on the hot path of every operation.
 */
export interface OperationState {
  /** Opted out with `context: { tokenRefresh: { skip: true } }`. */
  readonly skip: boolean;
  /**
   * The access token the current attempt carries (`null`: none, logged out); `undefined` until
   * an `AuthLink` chose one. Becomes the `failedToken` when the attempt fails with an auth error.
   */
  token?: string | null;
  /**
   * Sets (or, for `null`, removes) the auth header and `token`. Set by `AuthLink`, the only
   * link that knows the header name and format, so later links can re-apply the header after
   * a hold or before a retry.
   */
  apply?: (op: ApolloLink.Operation, token: string | null) => void;
  /**
   * `AuthLink` left fetching the token to a downstream `ProactiveRefreshLink`, because a refresh
   * was running; that link clears it when it takes the operation.
   */
  defer?: boolean;
  /** This attempt is the single retry after an auth error. */
  retried?: boolean;
}

/**
 * The state lives on the operation object under a module-private symbol: a `WeakMap` would
 * cost several times more per operation (the garbage collector's ephemeron work). An operation
 * that cannot take a property (frozen by a link of the app's; Apollo Client 4 never does) keeps
 * its state in the `WeakMap` instead.
 */
const STATE = Symbol('apollo-token-refresh');
const aside = new WeakMap<ApolloLink.Operation, OperationState>();

type WithState = ApolloLink.Operation & { [STATE]?: OperationState };

/**
 * The operation's state, created from its context by whichever of our links sees it first
 * (pass `context` when it was read already: every read is a copy).
 */
export function stateOf(op: ApolloLink.Operation, context?: DefaultContext): OperationState {
  const o = op as WithState;
  const extensible = Object.isExtensible(op);
  let state = extensible ? o[STATE] : aside.get(op);
  if (!state) {
    state = { skip: (context ?? op.getContext()).tokenRefresh?.skip === true };
    if (extensible) o[STATE] = state;
    else aside.set(op, state);
  }
  return state;
}
