import { RefreshFailedError, SessionExpiredError } from '../shared/errors.js';
import { AuthCloseCode, isClose } from './close-codes.js';
import { isConnectionFailure } from './graphql-ws-workarounds.js';

/**
 * The client's default `shouldRetry`: a close graphql-ws does not treat as fatal (a dropped
 * connection, a server restart) and a connection that could not be made (refused or reset: the
 * server is down or restarting). graphql-ws's own default retries closes only, which ended
 * every subscription at the first refused attempt.
 */
export const retryByDefault = (errorOrClose: unknown): boolean =>
  isClose(errorOrClose) || isConnectionFailure(errorOrClose);

/** What the retry decision needs to know of the client. */
export interface RetryContext {
  /** False once a refreshed token was rejected too: re-authenticating again would loop. */
  mayReauthenticate: boolean;
  /** Decides what the client does not: the app's `shouldRetry`, or {@link retryByDefault}. */
  shouldRetry: (errorOrClose: unknown) => boolean;
}

const closeCode = (errorOrClose: unknown) => (isClose(errorOrClose) ? errorOrClose.code : 0);

/**
 * Whether graphql-ws retries after a connection failed or closed. graphql-ws asks only below
 * `retryAttempts`, and never for the close codes it treats as fatal (4400, 4401, 4500…): that
 * is why the client reports a server's re-auth close as `Reauthenticate`.
 */
export function shouldRetryConnection(errorOrClose: unknown, context: RetryContext): boolean {
  switch (closeCode(errorOrClose)) {
    // We closed the socket to replace it (the token changed, or `restart()`).
    case AuthCloseCode.TokenChanged:
      return true;
    // The server rejected the socket's token: reconnect with a refreshed one, unless that one
    // was rejected too (the sinks then get a SessionExpiredError).
    case AuthCloseCode.Reauthenticate:
      return context.mayReauthenticate;
  }
  // Thrown by `connectionParams`: the refresh ended the session.
  if (SessionExpiredError.is(errorOrClose)) return false;
  // Thrown by `connectionParams`: the refresh failed for now (network, 5xx, timeout); back off
  // and try again, the session is kept.
  if (RefreshFailedError.is(errorOrClose)) return true;
  // Server closes, refused connections, the app's own errors: the app's policy or the default.
  return context.shouldRetry(errorOrClose);
}

/** Our own restarts and a first re-auth reconnect at once: nothing is wrong with the server. */
export const retriesAtOnce = (errorOrClose: unknown): boolean => {
  const code = closeCode(errorOrClose);
  return code === AuthCloseCode.TokenChanged || code === AuthCloseCode.Reauthenticate;
};
