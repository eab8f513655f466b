import { abortable, onAbort } from '../shared/abort.js';
import { TokenRefreshError } from '../shared/errors.js';
import { delay, later } from '../shared/timers.js';
import { claimsOf, isTokenSet, notATokenSet } from './token-set.js';
import type { RefreshFunction, TokenSet } from './types.js';

/** How one refresh calls the app's `refresh` function: the manager's options, resolved. */
export interface AttemptPolicy {
  refresh: RefreshFunction;
  /** Calls of `refresh` in total before a transient failure is final. */
  attempts: number;
  /** Wait before retry number `attempt` (1 for the first retry). */
  delayMs: (attempt: number) => number;
  /** An attempt that has not settled after this long is aborted: a transient failure. */
  timeoutMs: number;
  /** `true`: the refresh token was rejected, retrying cannot help. */
  isSessionEnded: (error: unknown) => boolean;
}

/**
 * How the attempts ended: with tokens, with the session ended (`isSessionEnded` accepted the
 * error), or with the last transient error once the attempts ran out.
 */
export type AttemptsOutcome =
  | { kind: 'tokens'; tokens: TokenSet }
  | { kind: 'sessionEnded'; error: unknown }
  | { kind: 'transient'; error: unknown };

/**
 * Calls `refresh` until it returns a `TokenSet`, its error ends the session, or `attempts` calls
 * failed transiently (an error, a timeout, or something that is not a `TokenSet`), waiting
 * `delayMs(n)` between calls. Rejects with the signal's reason once `signal` aborts (logout,
 * newer tokens, dispose): what an aborted refresh returns no longer matters.
 *
 * The first call happens synchronously, before this returns: when many operations start in
 * one tick, the refresh request goes out before their requests are built.
 */
export async function callRefresh(
  policy: AttemptPolicy,
  refreshToken: string | undefined,
  signal: AbortSignal,
): Promise<AttemptsOutcome> {
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw signal.reason;
    let outcome: AttemptsOutcome;
    try {
      outcome = { kind: 'tokens', tokens: await callOnce(policy, refreshToken, signal) };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (policy.isSessionEnded(error)) return { kind: 'sessionEnded', error };
      outcome = { kind: 'transient', error };
    }
    if (outcome.kind === 'tokens' || attempt >= policy.attempts) return outcome;
    await delay(policy.delayMs(attempt), signal);
  }
}

/** One call of `refresh`, with its own signal that aborts on timeout and with `signal`. */
async function callOnce(
  policy: AttemptPolicy,
  refreshToken: string | undefined,
  signal: AbortSignal,
): Promise<TokenSet> {
  const attempt = new AbortController();
  const stopForwardingAbort = onAbort(signal, (reason) => attempt.abort(reason));
  const timer = later(() => attempt.abort(timeoutError()), policy.timeoutMs);
  try {
    const tokens: unknown = await abortable(attempt.signal, () =>
      policy.refresh({ refreshToken, signal: attempt.signal }),
    );
    if (!isTokenSet(tokens)) throw notATokenSet('refresh()', tokens);
    // Expired on every clock, not just on this device's: a broken token endpoint.
    const { exp, iat } = claimsOf(tokens);
    if (exp !== undefined && iat !== undefined && exp <= iat) {
      throw new TokenRefreshError(
        'INVALID_TOKEN_SET',
        'refresh(): returned a token that expires before it was issued',
      );
    }
    return tokens;
  } finally {
    clearTimeout(timer);
    stopForwardingAbort();
  }
}

// Not a DOMException: some runtimes (React Native) lack it.
const timeoutError = () => Object.assign(new Error('Refresh timed out'), { name: 'TimeoutError' });
