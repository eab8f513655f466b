/**
 * The model behind the property tests: a real TokenManager and the real link chain over an
 * in-memory GraphQL server and a refresh function whose every call the schedule settles by hand.
 * Time is vitest's fake clock: `tick` fires due timers, `jump` moves the clock without firing
 * them (a timer that fires late).
 */
import { ApolloClient, ApolloLink, InMemoryCache } from '@apollo/client';
import fc from 'fast-check';
import { Observable } from 'rxjs';
import { vi } from 'vitest';
import { EchoDocument } from '../../fixtures/__generated__/graphql.js';
import {
  createTokenRefreshLink,
  RefreshFailedError,
  SessionExpiredError,
  TokenManager,
  TokenRefreshError,
  type TokenSet,
  type TokenStorage,
} from '../../src/index.js';
import { flushEventLoop } from '../support/flush.js';
import { httpError } from '../support/tokens.js';

const REFRESH_BEFORE_EXPIRY_MS = 5_000;
const REFRESH_TIMEOUT_MS = 1_000;
const RETRY_DELAY_MS = 100;
const ATTEMPTS = 2;
/** How far the drain moves the clock between two looks. */
const DRAIN_STEP_MS = 200;
/** One refresh whose every attempt hangs until the timeout. */
const HUNG_REFRESH_MS = ATTEMPTS * REFRESH_TIMEOUT_MS + (ATTEMPTS - 1) * RETRY_DELAY_MS;

/**
 * The fake clock the model needs: timers and `Date` faked, `setImmediate` left real so that
 * `flushEventLoop()` still turns the loop. Undo with `vi.useRealTimers()`.
 */
export function useModelClock(now?: number): void {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    ...(now !== undefined && { now }),
  });
}

export type Command =
  | { kind: 'op' }
  /** An operation opted out with `context: { tokenRefresh: { skip: true } }` (login, public). */
  | { kind: 'publicOp' }
  | { kind: 'unsub'; index: number }
  | { kind: 'respond'; index: number }
  | { kind: 'refresh'; outcome: 'ok' | 'transient' | 'fatal'; ttl: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'jump'; ms: number }
  | { kind: 'revoke' }
  | { kind: 'setTokens'; ttl: number | null }
  | { kind: 'logout' }
  | { kind: 'manualRefresh' };

const ttl = fc.integer({ min: 0, max: 60_000 });
/**
 * Refresh answers, including tokens that live less than the refresh margin (the second schedule
 * of found-bugs.test.ts).
 */
const refreshTtl = fc.integer({ min: 1, max: 60_000 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'op' as const }), weight: 6 },
  { arbitrary: fc.constant({ kind: 'publicOp' as const }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constant('unsub' as const), index: fc.nat(20) }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('respond' as const), index: fc.nat(20) }),
    weight: 5,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('refresh' as const),
      outcome: fc.constantFrom(
        'ok' as const,
        'ok' as const,
        'transient' as const,
        'fatal' as const,
      ),
      ttl: refreshTtl,
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('tick' as const),
      ms: fc.integer({ min: 1, max: 20_000 }),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('jump' as const),
      ms: fc.integer({ min: 1, max: 60_000 }),
    }),
    weight: 1,
  },
  { arbitrary: fc.constant({ kind: 'revoke' as const }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constant('setTokens' as const), ttl: fc.option(ttl) }),
    weight: 1,
  },
  { arbitrary: fc.constant({ kind: 'logout' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'manualRefresh' as const }), weight: 1 },
);

export interface Scenario {
  /** Logged in at the start with a token of this lifetime; `null`: logged out. */
  initialTtl: number | null;
  scheduleRefresh: boolean;
  /** 0: synchronous storage; n: every storage call settles n microtasks later. */
  storageDelay?: number;
  /** Every `save` throws (quota exceeded, storage disabled). */
  saveFails?: boolean;
  commands: Command[];
}

export const scenarios: fc.Arbitrary<Scenario> = fc.record({
  initialTtl: fc.option(ttl, { freq: 5 }),
  scheduleRefresh: fc.boolean(),
  storageDelay: fc.constantFrom(0, 0, 1, 3),
  saveFails: fc.oneof(
    { arbitrary: fc.constant(false), weight: 9 },
    { arbitrary: fc.constant(true), weight: 1 },
  ),
  commands: fc.array(command, { minLength: 1, maxLength: 30 }),
});

/** Only the execute context: links read `operation.client`, nothing is cached. */
const client = new ApolloClient({ link: ApolloLink.empty(), cache: new InMemoryCache() });

interface TrackedOperation {
  id: number;
  skip: boolean;
  events: string[];
  /** `next`, `error`, `complete` after the terminal event: a double settle. */
  settledAt: number | null;
  unsubscribed: boolean;
  sends: number;
  error?: unknown;
  result?: 'data' | 'unauthenticated';
  unsubscribe: () => void;
}

interface HeldRequest {
  operation: number;
  token: string | null;
  answer: () => void;
}

interface RefreshCall {
  epoch: number;
  refreshToken: string | undefined;
  signal: AbortSignal;
  live: boolean;
  resolve: (tokens: TokenSet) => void;
  reject: (error: unknown) => void;
}

/** What the schedules exercised, summed over every run: proof the interesting paths were hit. */
export const coverage = {
  ops: 0,
  data: 0,
  unauthenticated: 0,
  sessionExpired: 0,
  refreshFailed: 0,
  unsubscribed: 0,
  retried: 0,
  refreshCalls: 0,
  abortedCalls: 0,
  logouts: 0,
};

/**
 * Runs one scenario and returns every invariant violation found (empty: the schedule is fine).
 * Call between `useModelClock()` and `vi.useRealTimers()`.
 */
export async function runScenario(
  plan: Scenario,
  /** Inserted before the server: lets a test break the chain on purpose to see the checks fire. */
  tamper?: ApolloLink,
): Promise<string[]> {
  const violations: string[] = [];
  const report = (violation: string) => void violations.push(violation);
  const now = () => Date.now();
  let issuedCount = 0;
  // Server side: every access token it issued, its expiry and issue number; revoked ones.
  // `expiring`: when the manager must stop using it (`expiresAt - refreshBeforeExpiryMs`; for a
  // token that just arrived from a refresh or a sign-in, at the earliest half-way through its
  // remaining life, so a token shorter-lived than the margin is not refreshed again at once).
  const issued = new Map<string, { exp: number | null; expiring: number; serial: number }>();
  const revoked = new Set<string>();
  const issue = (ttlMs: number | null, fresh = false): TokenSet => {
    const serial = ++issuedCount;
    const accessToken = `at.${serial}`;
    const exp = ttlMs === null ? null : now() + ttlMs;
    const expiring =
      exp === null
        ? Number.POSITIVE_INFINITY
        : Math.max(exp - REFRESH_BEFORE_EXPIRY_MS, fresh ? (now() + exp) / 2 : -Infinity);
    issued.set(accessToken, { exp, expiring, serial });
    return {
      accessToken,
      refreshToken: `rt.${serial}`,
      ...(exp !== null && { expiresAt: exp }),
    };
  };

  let stored: TokenSet | null = plan.initialTtl === null ? null : issue(plan.initialTtl);
  // Asynchronous storage (IndexedDB-like) applies each write some microtasks later, so a save
  // and a clear can interleave.
  const later = async () => {
    for (let turn = 0; turn < (plan.storageDelay ?? 0); turn++) await Promise.resolve();
  };
  const storage: TokenStorage = plan.storageDelay
    ? {
        load: async () => {
          await later();
          return stored;
        },
        save: async (tokens) => {
          await later();
          if (plan.saveFails) throw new Error('quota exceeded');
          stored = tokens;
        },
        clear: async () => {
          await later();
          stored = null;
        },
      }
    : {
        load: () => stored,
        save(tokens) {
          if (plan.saveFails) throw new Error('quota exceeded');
          stored = tokens;
        },
        clear() {
          stored = null;
        },
      };

  const calls: RefreshCall[] = [];
  // setTokens calls so far, and the epoch each refreshed access token was requested in.
  let epoch = 0;
  const refreshedBy = new Map<string, number>();
  const manager = new TokenManager({
    storage,
    refreshBeforeExpiryMs: REFRESH_BEFORE_EXPIRY_MS,
    refreshTimeoutMs: REFRESH_TIMEOUT_MS,
    retry: { attempts: ATTEMPTS, delayMs: () => RETRY_DELAY_MS },
    scheduleRefresh: plan.scheduleRefresh,
    now,
    refresh: ({ refreshToken, signal }) =>
      new Promise<TokenSet>((resolve, reject) => {
        const live = calls.filter((other) => other.live).length;
        if (live > 0) report(`refresh called while ${live} other call(s) in flight`);
        const call: RefreshCall = {
          epoch,
          refreshToken,
          signal,
          live: true,
          resolve: (tokens) => {
            call.live = false;
            resolve(tokens);
          },
          reject: (error) => {
            call.live = false;
            reject(error);
          },
        };
        calls.push(call);
        coverage.refreshCalls++;
        // Like fetch: an aborted call rejects at once.
        signal.addEventListener(
          'abort',
          () => {
            if (call.live) coverage.abortedCalls++;
            call.reject(signal.reason);
          },
          { once: true },
        );
        if (signal.aborted) call.reject(signal.reason);
        // No refresh token (logged out): the endpoint refuses, as a real one would.
        if (refreshToken === undefined) queueMicrotask(() => call.reject(httpError(401)));
      }),
  });

  // Session bookkeeping: tokens issued up to `endedSerial` belong to an ended session.
  let endedSerial = 0;
  let loggedOut = plan.initialTtl === null;
  manager.on('logout', () => {
    coverage.logouts++;
    endedSerial = issuedCount;
    loggedOut = true;
    if (stored !== null) report('logout emitted with tokens still in storage');
  });

  const pending: HeldRequest[] = [];
  let answerAtOnce = false;
  const operations: TrackedOperation[] = [];
  const server = new ApolloLink(
    (operation) =>
      new Observable((observer) => {
        const id = operation.variables.n as number;
        const sent = operations[id];
        const header = (operation.getContext().headers as Record<string, string> | undefined)
          ?.authorization;
        const token = header ? header.replace(/^Bearer /, '') : null;
        const at = now();
        if (!sent) report(`unknown operation ${id}`);
        else {
          sent.sends++;
          if (sent.unsubscribed) report(`op ${id} sent after it was unsubscribed`);
          if (sent.settledAt !== null) report(`op ${id} sent after it settled`);
          if (sent.sends > 2) report(`op ${id} sent ${sent.sends} times (retried more than once)`);
          if (sent.skip && sent.sends > 1) report(`public op ${id} was retried`);
        }
        if (token !== null && sent?.skip) report(`public op ${id} carried a token`);
        if (token !== null) {
          const known = issued.get(token);
          if (!known) report(`op ${id} carried a token the server never issued`);
          else {
            if (at >= known.expiring)
              report(`op ${id} sent with ${token}, known expiring (exp ${known.exp}, now ${at})`);
            if (known.serial <= endedSerial)
              report(`op ${id} sent with ${token} of an ended session`);
          }
          if (loggedOut) report(`op ${id} carried ${token} while logged out`);
        }
        const request: HeldRequest = {
          operation: id,
          token,
          answer: () => {
            const index = pending.indexOf(request);
            if (index < 0) return;
            pending.splice(index, 1);
            const known = token === null ? undefined : issued.get(token);
            const valid =
              token !== null &&
              known &&
              !revoked.has(token) &&
              (known.exp === null || now() < known.exp);
            if (valid) observer.next({ data: { echo: id } });
            else
              observer.next({
                errors: [{ message: 'Unauthenticated', extensions: { code: 'UNAUTHENTICATED' } }],
              });
            observer.complete();
          },
        };
        pending.push(request);
        if (answerAtOnce) queueMicrotask(request.answer);
        return () => {
          const index = pending.indexOf(request);
          if (index >= 0) pending.splice(index, 1);
        };
      }),
  );
  const chain = ApolloLink.from([
    createTokenRefreshLink(manager),
    ...(tamper ? [tamper] : []),
    server,
  ]);

  const start = (skip = false) => {
    const id = operations.length;
    const operation: TrackedOperation = {
      id,
      skip,
      events: [],
      settledAt: null,
      unsubscribed: false,
      sends: 0,
      unsubscribe: () => {},
    };
    operations.push(operation);
    const settle = (kind: string) => {
      operation.events.push(kind);
      if (operation.settledAt !== null) report(`op ${id} got ${kind} after it settled`);
      if (operation.unsubscribed) report(`op ${id} got ${kind} after unsubscribe`);
    };
    const subscription = ApolloLink.execute(
      chain,
      {
        query: EchoDocument,
        variables: { n: id },
        ...(skip && { context: { tokenRefresh: { skip } } }),
      },
      { client },
    ).subscribe({
      next: (result) => {
        settle('next');
        operation.result = result.data ? 'data' : 'unauthenticated';
      },
      error: (error: unknown) => {
        settle('error');
        operation.error = error;
        if (!TokenRefreshError.is(error))
          report(`op ${id} errored with an untyped ${String(error)}`);
        operation.settledAt ??= now();
      },
      complete: () => {
        settle('complete');
        operation.settledAt ??= now();
      },
    });
    operation.unsubscribe = () => {
      if (operation.settledAt !== null || operation.unsubscribed) return;
      operation.unsubscribed = true;
      subscription.unsubscribe();
    };
  };

  const ignore = (error: unknown) => {
    if (!TokenRefreshError.is(error))
      report(`manager call rejected with an untyped ${String(error)}`);
  };
  // A refresh that started before the latest setTokens must not replace those tokens.
  manager.on('tokens', (tokens) => {
    const from = refreshedBy.get(tokens.accessToken);
    if (from !== undefined && from < epoch)
      report(
        `${tokens.accessToken} from a refresh started before setTokens replaced the new session`,
      );
  });
  const afterCommand = () => {
    if (loggedOut && stored !== null) report('logged out but storage is not empty');
  };

  try {
    await flushEventLoop();
    for (const command of plan.commands) {
      switch (command.kind) {
        case 'op':
          start();
          break;
        case 'publicOp': {
          const before = pending.length;
          start(true);
          // Opted out: never held, not even while a refresh runs; reaches the server at once.
          if (pending.length !== before + 1) report(`public op ${operations.length - 1} was held`);
          break;
        }
        case 'unsub': {
          const open = operations.filter(
            (operation) => operation.settledAt === null && !operation.unsubscribed,
          );
          open[command.index % Math.max(1, open.length)]?.unsubscribe();
          break;
        }
        case 'respond':
          pending[command.index % Math.max(1, pending.length)]?.answer();
          break;
        case 'refresh': {
          const call = calls.find((candidate) => candidate.live);
          if (!call) break;
          const wasLoggedOut = loggedOut;
          if (command.outcome === 'ok') {
            const tokens = issue(command.ttl, true);
            refreshedBy.set(tokens.accessToken, call.epoch);
            call.resolve(tokens);
          } else call.reject(httpError(command.outcome === 'fatal' ? 401 : 503));
          await flushEventLoop();
          if (!wasLoggedOut && loggedOut && call.epoch < epoch)
            report('a refresh started before setTokens ended the new session');
          break;
        }
        case 'tick':
          await vi.advanceTimersByTimeAsync(command.ms);
          break;
        case 'jump':
          vi.setSystemTime(now() + command.ms);
          break;
        case 'revoke':
          if (stored) revoked.add(stored.accessToken);
          break;
        case 'setTokens': {
          const tokens = issue(command.ttl, true);
          loggedOut = false;
          epoch++;
          manager.setTokens(tokens).catch(ignore);
          break;
        }
        case 'logout':
          manager.logout().catch(ignore);
          break;
        case 'manualRefresh':
          manager.refresh().catch(ignore);
          break;
      }
      await flushEventLoop();
      afterCommand();
    }

    // Drain: the server answers at once, every new refresh hangs. Each operation must settle
    // within two hung refreshes (one before sending, one for its single retry).
    answerAtOnce = true;
    for (const request of [...pending]) request.answer();
    const drainStart = now();
    const settleBy = drainStart + 2 * HUNG_REFRESH_MS + DRAIN_STEP_MS;
    const drainMs = 2 * (HUNG_REFRESH_MS + DRAIN_STEP_MS);
    for (let elapsed = 0; elapsed <= drainMs; elapsed += DRAIN_STEP_MS) {
      await vi.advanceTimersByTimeAsync(DRAIN_STEP_MS);
      await flushEventLoop();
      afterCommand();
    }
    for (const operation of operations) {
      if (operation.unsubscribed) continue;
      const terminal = operation.events.filter((event) => event !== 'next').length;
      const nexts = operation.events.length - terminal;
      if (terminal !== 1 || nexts > 1)
        report(`op ${operation.id} settled as [${operation.events}]`);
      else if (operation.settledAt !== null && operation.settledAt > settleBy)
        report(`op ${operation.id} settled ${operation.settledAt - drainStart} ms into the drain`);
    }
    if (loggedOut && stored !== null) report('logged out but storage is not empty at the end');
    for (const operation of operations) {
      coverage.ops++;
      if (operation.unsubscribed) coverage.unsubscribed++;
      if (operation.sends === 2) coverage.retried++;
      if (operation.result === 'data') coverage.data++;
      if (operation.result === 'unauthenticated') coverage.unauthenticated++;
      if (SessionExpiredError.is(operation.error)) coverage.sessionExpired++;
      if (RefreshFailedError.is(operation.error)) coverage.refreshFailed++;
    }
  } finally {
    for (const operation of operations) operation.unsubscribe();
    manager.dispose();
  }
  return violations;
}
