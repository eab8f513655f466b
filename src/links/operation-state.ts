import type { ApolloLink, DefaultContext } from '@apollo/client';
import { type AuthorizationHeader, headersWithToken } from '../shared/header.js';

/**
 * What the token refresh links know about one operation, and the named steps by which they hand
 * it to one another. Each link works alone; together:
 * - `AuthLink` writes the header (`authorize`). When no token is usable without waiting, it
 *   offers the operation to a downstream `ProactiveRefreshLink` (`offerHold`); if no link takes
 *   it (`takeHold`), `AuthLink` waits for the token itself.
 * - `ProactiveRefreshLink` holds operations while a refresh runs, then rewrites the header with
 *   the new token (`reauthorize`).
 * - `AuthErrorLink` refreshes once after an auth error with the token the operation carried
 *   (`carriedToken`), rewrites the header (`reauthorize`) and retries once (`markRetry`).
 * - `createTokenRefreshLink` sends an operation none of them has seen (`isUntouched`) with a
 *   usable token on its hot path, writing the header (`writeHeader`) without a record: creating
 *   the record measured about 0.9 µs per operation (bench S3). Its retry is told the token and
 *   header instead.
 *
 * The record lives on the operation under a module-private symbol, not in its context:
 * `getContext()` copies and freezes the whole context on every call, a cost each link would pay
 * on the hot path of every operation. A `WeakMap` would cost several times more per operation
 * (the garbage collector's ephemeron work), so it only keeps the record of an operation that
 * cannot take a property (frozen by a link of the app's; Apollo Client 4 never does that).
 */
interface OperationRecord {
  /** Opted out with `context: { tokenRefresh: { skip: true } }`. */
  readonly skip: boolean;
  /** The token the operation carries now; `null`: none (logged out); `undefined`: not ours. */
  token?: string | null;
  /** The header the token was written with, so a rewrite keeps it. */
  header?: AuthorizationHeader;
  /** `AuthLink` offered the operation to a downstream `ProactiveRefreshLink`. */
  holdOffered?: boolean;
  /** This attempt is the single retry after an auth error. */
  retry?: boolean;
}

const RECORD = Symbol('apollo-token-refresh');
const recordsOfFrozenOperations = new WeakMap<ApolloLink.Operation, OperationRecord>();

type WithRecord = ApolloLink.Operation & { [RECORD]?: OperationRecord };

/** The operation's record, created by whichever of our links sees it first. */
function recordOf(operation: ApolloLink.Operation, context?: DefaultContext): OperationRecord {
  const extensible = Object.isExtensible(operation);
  let record = extensible
    ? (operation as WithRecord)[RECORD]
    : recordsOfFrozenOperations.get(operation);
  if (!record) {
    // Pass `context` when it was read already: every read is a copy.
    record = { skip: optedOut(context ?? operation.getContext()) };
    if (extensible) (operation as WithRecord)[RECORD] = record;
    else recordsOfFrozenOperations.set(operation, record);
  }
  return record;
}

function optedOut(context: DefaultContext): boolean {
  return context.tokenRefresh?.skip === true;
}

/** The operation opted out: no header, no waiting, no retry. */
export function isSkipped(operation: ApolloLink.Operation, context?: DefaultContext): boolean {
  return recordOf(operation, context).skip;
}

/**
 * Writes the access token into the operation's `header` (removes the header for `null`) and
 * remembers both. Pass the `context` when it was read already.
 */
export function authorize(
  operation: ApolloLink.Operation,
  token: string | null,
  header: AuthorizationHeader,
  context: DefaultContext = operation.getContext(),
): void {
  const record = recordOf(operation, context);
  record.token = token;
  record.header = header;
  writeHeader(operation, token, header, context);
}

/**
 * Writes the access token into the operation's `header` (removes it for `null`), remembering
 * nothing: the one place our links write the header.
 */
export function writeHeader(
  operation: ApolloLink.Operation,
  token: string | null,
  header: AuthorizationHeader,
  context: DefaultContext,
): void {
  operation.setContext({ headers: headersWithToken(context.headers, token, header) });
}

/** None of our links has seen the operation yet, and it did not opt out. */
export function isUntouched(operation: ApolloLink.Operation, context: DefaultContext): boolean {
  const unseen =
    (operation as WithRecord)[RECORD] === undefined &&
    (Object.isExtensible(operation) || !recordsOfFrozenOperations.has(operation));
  return unseen && !optedOut(context);
}

/**
 * Rewrites the token after a hold or before a retry, in the header it was first written in
 * (by `AuthLink`, whatever its options), or in `fallback` when none of our links wrote one (an
 * auth link of the app's own is upstream).
 */
export function reauthorize(
  operation: ApolloLink.Operation,
  token: string | null,
  fallback: AuthorizationHeader,
): void {
  // One read of the context for both: every read is a copy.
  const context = operation.getContext();
  authorize(operation, token, recordOf(operation, context).header ?? fallback, context);
}

/** The token our links last wrote into the operation; `undefined` when none did. */
export function carriedToken(operation: ApolloLink.Operation): string | null | undefined {
  return recordOf(operation).token;
}

/** `AuthLink`: no token is usable now; a downstream `ProactiveRefreshLink` may hold this one. */
export function offerHold(operation: ApolloLink.Operation): void {
  recordOf(operation).holdOffered = true;
}

/**
 * `ProactiveRefreshLink`: takes the hold `AuthLink` offered, if it did (`true`). `AuthLink` then
 * sees it was taken (see `holdTaken`).
 */
export function takeHold(operation: ApolloLink.Operation): boolean {
  const record = recordOf(operation);
  const offered = record.holdOffered === true;
  record.holdOffered = false;
  return offered;
}

/**
 * `AuthLink`, after building the rest of the chain (links build their part synchronously in
 * `forward`): whether a downstream link took the hold it offered. Withdraws an offer not taken.
 */
export function holdTaken(operation: ApolloLink.Operation): boolean {
  const record = recordOf(operation);
  const taken = record.holdOffered !== true;
  record.holdOffered = false;
  return taken;
}

/** `AuthErrorLink`: the attempt about to be sent is the operation's one retry. */
export function markRetry(operation: ApolloLink.Operation): void {
  recordOf(operation).retry = true;
}

/** The operation is on its one retry already. */
export function isRetry(operation: ApolloLink.Operation): boolean {
  return recordOf(operation).retry === true;
}
