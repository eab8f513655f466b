import { withCause } from '../shared/cause-summary.js';
import {
  REFRESH_FAILED,
  RefreshFailedError,
  SESSION_ENDED,
  SessionExpiredError,
  TokenRefreshError,
} from '../shared/errors.js';
import type { Emitter } from './events.js';
import { type AttemptPolicy, type AttemptsOutcome, callRefresh } from './refresh-attempts.js';
import type { Session } from './session.js';
import { belongToDifferentUsers } from './token-set.js';
import type { TokenSet } from './types.js';

/** The outcome of one refresh, including tokens another tab left in the shared storage. */
type RefreshOutcome = AttemptsOutcome | { kind: 'fromAnotherTab'; tokens: TokenSet };

const report = (error: unknown) =>
  (globalThis as { reportError?: (error: unknown) => void }).reportError?.(error);

/**
 * The one refresh every caller shares. It starts a refresh, hands its outcome to every waiter
 * (new tokens, the end of the session, or a transient failure), and lets newer tokens, a logout
 * or `dispose` overtake it: a refresh started under an older generation of the session never
 * stores its result, and its waiters get what the session holds now.
 */
export class RefreshFlight {
  readonly #session: Session;
  readonly #events: Emitter;
  readonly #policy: AttemptPolicy;
  /** The refresh every caller joins, and how to abort it. */
  #current: { promise: Promise<string | null>; abort: AbortController } | undefined;

  constructor(session: Session, events: Emitter, policy: AttemptPolicy) {
    this.#session = session;
    this.#events = events;
    this.#policy = policy;
  }

  /** A refresh runs in this tab. */
  get running(): boolean {
    return this.#current !== undefined;
  }

  /**
   * Joins the refresh in flight, or starts one. Resolves with the new access token; `null` only
   * when a `restoreSession` attempt found nobody signed in.
   */
  join(): Promise<string | null> {
    return this.#current?.promise ?? this.#start();
  }

  /** Aborts the refresh in flight (its waiters get what the session holds once it settles). */
  supersede(reason?: unknown): void {
    const current = this.#current;
    this.#current = undefined;
    current?.abort.abort(reason);
  }

  #start(): Promise<string | null> {
    const generation = this.#session.generation;
    const restoring = this.#session.restoring;
    const abort = new AbortController();
    let run!: () => void;
    const promise = new Promise<string | null>((resolve) => {
      run = () => resolve(this.#run(generation, abort.signal, restoring));
    }).finally(() => {
      if (this.#current?.promise === promise) this.#current = undefined;
    });
    // In flight and announced before `refresh` runs, so a listener (or `refresh` itself) that
    // asks for a token joins this refresh. Then `refresh` runs at once: when many operations
    // start together, its request goes out before theirs are built.
    this.#current = { promise, abort };
    this.#session.setStatus('refreshing');
    this.#events.emit('refreshing');
    run();
    return promise;
  }

  /**
   * One refresh. With other tabs, it all happens holding the tabs' lock, storing the new tokens
   * (and telling the other tabs) included: a tab that gets the lock next must find them.
   */
  async #run(generation: number, signal: AbortSignal, restoring: boolean): Promise<string | null> {
    const crossTab = this.#session.crossTab;
    if (!crossTab) return this.#refreshAndSettle(generation, signal, restoring);
    try {
      return await crossTab.refreshExclusively(
        () => this.#refreshAndSettle(generation, signal, restoring),
        signal,
      );
    } catch (error) {
      // Overtaken while waiting for the lock.
      if (generation !== this.#session.generation) return this.#tokenAfterSuperseded(signal);
      throw error;
    }
  }

  /** Gets new tokens (or learns the session ended) and hands the outcome to every waiter. */
  async #refreshAndSettle(
    generation: number,
    signal: AbortSignal,
    restoring: boolean,
  ): Promise<string | null> {
    let outcome: RefreshOutcome;
    try {
      outcome = this.#session.crossTab
        ? await this.#refreshUnlessAnotherTabDid(generation, signal)
        : await callRefresh(this.#policy, this.#session.tokens?.refreshToken, signal);
    } catch (error) {
      // Overtaken (the abort that ended the attempts), or the shared storage failed before any
      // call of `refresh`: nothing was called, so nothing is reported as a failed refresh.
      if (generation !== this.#session.generation) return this.#tokenAfterSuperseded(signal);
      this.#session.settleStatus();
      throw new RefreshFailedError(this.#message(REFRESH_FAILED, error), {
        cause: error,
      });
    }
    if (generation !== this.#session.generation) return this.#tokenAfterSuperseded(signal);
    switch (outcome.kind) {
      case 'fromAnotherTab':
        await this.#session.use(outcome.tokens, 'storageAfterAnotherTab');
        return outcome.tokens.accessToken;
      case 'tokens':
        return this.#acceptRefreshed(outcome.tokens, signal);
      case 'sessionEnded':
        return this.#sessionEndedByRefresh(outcome.error, restoring);
      case 'transient': {
        const error = new RefreshFailedError(this.#message(REFRESH_FAILED, outcome.error), {
          cause: outcome.error,
        });
        this.#events.emit('refreshFailed', error);
        this.#session.settleStatus();
        throw error;
      }
    }
  }

  /**
   * Holding the tabs' lock: another tab may have refreshed while this one waited for it, and
   * left fresh tokens in the shared storage. Otherwise refresh here.
   */
  async #refreshUnlessAnotherTabDid(
    generation: number,
    signal: AbortSignal,
  ): Promise<RefreshOutcome> {
    const tokens = await this.#session.freshTokensFromAnotherTab(generation);
    if (tokens) return { kind: 'fromAnotherTab', tokens };
    return callRefresh(this.#policy, this.#session.tokens?.refreshToken, signal);
  }

  /**
   * Takes the tokens `refresh` returned. A field left out keeps its current value (OAuth 2.0
   * lets a server keep the refresh token); tokens of another user end the session.
   */
  async #acceptRefreshed(returned: TokenSet, signal: AbortSignal): Promise<string | null> {
    const previous = this.#session.tokens;
    if (belongToDifferentUsers(previous, returned)) {
      const cause = new TokenRefreshError(
        'SUBJECT_CHANGED',
        'refresh() returned a token of another user',
      );
      return this.#endSessionAfterRefresh(new SessionExpiredError(undefined, { cause }));
    }
    const refreshToken = returned.refreshToken ?? previous?.refreshToken;
    const tokens: TokenSet = {
      accessToken: returned.accessToken,
      ...(refreshToken !== undefined && { refreshToken }),
      ...(returned.expiresAt !== undefined && { expiresAt: returned.expiresAt }),
    };
    // A failed save leaves the new tokens in memory, which is what the waiters need.
    await this.#session.use(tokens, 'refresh').catch(report);
    // Newer tokens or a logout may have come while storage saved these.
    return this.#tokenAfterSuperseded(signal);
  }

  /**
   * The refresh token was rejected. With `restoreSession` and no tokens that only means nobody is
   * signed in: `null`, and no `logout` (there was no session).
   */
  async #sessionEndedByRefresh(cause: unknown, restoring: boolean): Promise<null> {
    if (restoring) {
      this.#session.restoreFoundNoSession();
      this.#session.settleStatus();
      return null;
    }
    const message = this.#message(SESSION_ENDED, cause);
    return this.#endSessionAfterRefresh(new SessionExpiredError(message, { cause }));
  }

  /** A refresh ended the session: `refreshFailed`, then the end of it, then every waiter fails. */
  async #endSessionAfterRefresh(error: SessionExpiredError): Promise<never> {
    this.#events.emit('refreshFailed', error);
    this.supersede(error);
    await this.#session.end(error, false).catch(() => {});
    throw error;
  }

  /**
   * What the waiters of a refresh get once newer tokens, a logout or `dispose` overtook it: what
   * `getAccessToken()` gives now. Newer tokens that are already expiring are refreshed first
   * (joining or starting a refresh), never handed out.
   */
  #tokenAfterSuperseded(signal: AbortSignal): string | Promise<string | null> {
    const tokens = this.#session.tokens;
    if (!tokens) throw signal.reason ?? new SessionExpiredError();
    if (this.#session.isFresh()) return tokens.accessToken;
    return this.join();
  }

  /** `message` with why, never carrying the session's tokens. */
  #message(message: string, cause: unknown): string {
    const tokens = this.#session.tokens;
    return withCause(message, cause, [tokens?.accessToken, tokens?.refreshToken]);
  }
}
