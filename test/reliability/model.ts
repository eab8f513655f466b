/**
 * The model behind the property tests: a real TokenManager and the real link chain over an
 * in-memory GraphQL server and a refresh function whose every call the schedule settles by hand.
 * Time is vitest's fake clock: `tick` fires due timers, `jump` moves the clock without firing
 * them (a timer that fires late).
 */
import { ApolloClient, ApolloLink, gql, InMemoryCache } from '@apollo/client';
import fc from 'fast-check';
import { Observable } from 'rxjs';
import { vi } from 'vitest';
import {
  createTokenRefreshLink,
  RefreshFailedError,
  SessionExpiredError,
  TokenManager,
  TokenRefreshError,
  type TokenSet,
  type TokenStorage,
} from '../../src/index.js';

export const BEFORE = 5_000;
export const TIMEOUT = 1_000;
export const DELAY = 100;
export const ATTEMPTS = 2;
/** One refresh whose every attempt hangs until the timeout. */
const STEP = 200;
export const CYCLE = ATTEMPTS * TIMEOUT + (ATTEMPTS - 1) * DELAY;

export type Cmd =
  | { k: 'op' }
  /** An operation opted out with `context: { tokenRefresh: { skip: true } }` (login, public). */
  | { k: 'publicOp' }
  | { k: 'unsub'; i: number }
  | { k: 'respond'; i: number }
  | { k: 'refresh'; outcome: 'ok' | 'transient' | 'fatal'; ttl: number }
  | { k: 'tick'; ms: number }
  | { k: 'jump'; ms: number }
  | { k: 'revoke' }
  | { k: 'setTokens'; ttl: number | null }
  | { k: 'logout' }
  | { k: 'manualRefresh' };

const ttl = fc.integer({ min: 0, max: 60_000 });
/** Refresh answers, including tokens that live less than the refresh margin (BUG 2). */
const refreshTtl = fc.integer({ min: 1, max: 60_000 });
export const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { arbitrary: fc.constant({ k: 'op' as const }), weight: 6 },
  { arbitrary: fc.constant({ k: 'publicOp' as const }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('unsub' as const), i: fc.nat(20) }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('respond' as const), i: fc.nat(20) }), weight: 5 },
  {
    arbitrary: fc.record({
      k: fc.constant('refresh' as const),
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
      k: fc.constant('tick' as const),
      ms: fc.integer({ min: 1, max: 20_000 }),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      k: fc.constant('jump' as const),
      ms: fc.integer({ min: 1, max: 60_000 }),
    }),
    weight: 1,
  },
  { arbitrary: fc.constant({ k: 'revoke' as const }), weight: 1 },
  {
    arbitrary: fc.record({ k: fc.constant('setTokens' as const), ttl: fc.option(ttl) }),
    weight: 1,
  },
  { arbitrary: fc.constant({ k: 'logout' as const }), weight: 1 },
  { arbitrary: fc.constant({ k: 'manualRefresh' as const }), weight: 1 },
);

export interface Scenario {
  /** Logged in at the start with a token of this lifetime; `null`: logged out. */
  initialTtl: number | null;
  scheduleRefresh: boolean;
  /** 0: synchronous storage; n: every storage call settles n microtasks later. */
  storageDelay?: number;
  /** Every `save` throws (quota exceeded, storage disabled). */
  saveFails?: boolean;
  cmds: Cmd[];
}

export const scenario: fc.Arbitrary<Scenario> = fc.record({
  initialTtl: fc.option(ttl, { freq: 5 }),
  scheduleRefresh: fc.boolean(),
  storageDelay: fc.constantFrom(0, 0, 1, 3),
  saveFails: fc.oneof(
    { arbitrary: fc.constant(false), weight: 9 },
    { arbitrary: fc.constant(true), weight: 1 },
  ),
  cmds: fc.array(cmd, { minLength: 1, maxLength: 30 }),
});

const QUERY = gql`
  query Echo($id: Int!) {
    echo(n: $id)
  }
`;

/** Only the execute context: links read `operation.client`, nothing is cached. */
const client = new ApolloClient({ link: ApolloLink.empty(), cache: new InMemoryCache() });

interface Op {
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

interface Req {
  op: number;
  token: string | null;
  answer: () => void;
}

interface RefreshCall {
  epoch: number;
  refreshToken: string | undefined;
  signal: AbortSignal;
  live: boolean;
  resolve: (t: TokenSet) => void;
  reject: (e: unknown) => void;
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

/** Flushes every pending microtask (setImmediate stays real under our fake timers). */
export const flush = async () => {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
};

const httpError = (status: number) =>
  Object.assign(new Error(`refresh endpoint answered ${status}`), { status });

/**
 * Runs one scenario and returns every invariant violation found (empty: the schedule is fine).
 * Call between `vi.useFakeTimers(...)` and `vi.useRealTimers()`.
 */
export async function runScenario(
  s: Scenario,
  /** Inserted before the server: lets a test break the chain on purpose to see the checks fire. */
  tamper?: ApolloLink,
): Promise<string[]> {
  const v: string[] = [];
  const now = () => Date.now();
  let seq = 0;
  // Server side: every access token it issued, its expiry and issue number; revoked ones.
  // `expiring`: when the manager must stop using it (SPEC: `expiresAt - refreshBeforeExpiryMs`;
  // for a token a refresh just issued, at the earliest half-way through its remaining life, so
  // a token shorter-lived than the margin is not refreshed again at once).
  const issued = new Map<string, { exp: number | null; expiring: number; seq: number }>();
  const revoked = new Set<string>();
  const issue = (ttlMs: number | null, fresh = false): TokenSet => {
    const n = ++seq;
    const accessToken = `at.${n}`;
    const exp = ttlMs === null ? null : now() + ttlMs;
    const expiring =
      exp === null
        ? Number.POSITIVE_INFINITY
        : Math.max(exp - BEFORE, fresh ? (now() + exp) / 2 : -Infinity);
    issued.set(accessToken, { exp, expiring, seq: n });
    return {
      accessToken,
      refreshToken: `rt.${n}`,
      ...(exp !== null && { expiresAt: exp }),
    };
  };

  let stored: TokenSet | null = s.initialTtl === null ? null : issue(s.initialTtl);
  // Asynchronous storage (IndexedDB-like) applies each write some microtasks later, so a save
  // and a clear can interleave.
  const later = async () => {
    for (let i = 0; i < (s.storageDelay ?? 0); i++) await Promise.resolve();
  };
  const storage: TokenStorage = s.storageDelay
    ? {
        load: async () => {
          await later();
          return stored;
        },
        save: async (t) => {
          await later();
          if (s.saveFails) throw new Error('quota exceeded');
          stored = t;
        },
        clear: async () => {
          await later();
          stored = null;
        },
      }
    : {
        load: () => stored,
        save(t) {
          if (s.saveFails) throw new Error('quota exceeded');
          stored = t;
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
    refreshBeforeExpiryMs: BEFORE,
    refreshTimeoutMs: TIMEOUT,
    retry: { attempts: ATTEMPTS, delayMs: () => DELAY },
    scheduleRefresh: s.scheduleRefresh,
    now,
    refresh: ({ refreshToken, signal }) =>
      new Promise<TokenSet>((resolve, reject) => {
        const live = calls.filter((c) => c.live).length;
        if (live > 0) v.push(`refresh called while ${live} other call(s) in flight`);
        const c: RefreshCall = {
          epoch,
          refreshToken,
          signal,
          live: true,
          resolve: (t) => {
            c.live = false;
            resolve(t);
          },
          reject: (e) => {
            c.live = false;
            reject(e);
          },
        };
        calls.push(c);
        coverage.refreshCalls++;
        // Like fetch: an aborted call rejects at once.
        signal.addEventListener(
          'abort',
          () => {
            if (c.live) coverage.abortedCalls++;
            c.reject(signal.reason);
          },
          { once: true },
        );
        if (signal.aborted) c.reject(signal.reason);
        // No refresh token (logged out): the endpoint refuses, as a real one would.
        if (refreshToken === undefined) queueMicrotask(() => c.reject(httpError(401)));
      }),
  });

  // Session bookkeeping: tokens issued up to `deadSeq` belong to an ended session.
  let deadSeq = 0;
  let loggedOut = s.initialTtl === null;
  manager.on('logout', () => {
    coverage.logouts++;
    deadSeq = seq;
    loggedOut = true;
    if (stored !== null) v.push('logout emitted with tokens still in storage');
  });

  const pending: Req[] = [];
  let auto = false;
  const ops: Op[] = [];
  const server = new ApolloLink(
    (operation) =>
      new Observable((o) => {
        const id = operation.variables.id as number;
        const op = ops[id];
        const h = (operation.getContext().headers as Record<string, string> | undefined)
          ?.authorization;
        const token = h ? h.replace(/^Bearer /, '') : null;
        const at = now();
        if (!op) v.push(`unknown operation ${id}`);
        else {
          op.sends++;
          if (op.unsubscribed) v.push(`op ${id} sent after it was unsubscribed`);
          if (op.settledAt !== null) v.push(`op ${id} sent after it settled`);
          if (op.sends > 2) v.push(`op ${id} sent ${op.sends} times (retried more than once)`);
          if (op.skip && op.sends > 1) v.push(`public op ${id} was retried`);
        }
        if (token !== null && op?.skip) v.push(`public op ${id} carried a token`);
        if (token !== null) {
          const t = issued.get(token);
          if (!t) v.push(`op ${id} carried a token the server never issued`);
          else {
            if (at >= t.expiring)
              v.push(`op ${id} sent with ${token}, known expiring (exp ${t.exp}, now ${at})`);
            if (t.seq <= deadSeq) v.push(`op ${id} sent with ${token} of an ended session`);
          }
          if (loggedOut) v.push(`op ${id} carried ${token} while logged out`);
        }
        const req: Req = {
          op: id,
          token,
          answer: () => {
            const i = pending.indexOf(req);
            if (i < 0) return;
            pending.splice(i, 1);
            const t = token === null ? undefined : issued.get(token);
            const ok =
              token !== null && t && !revoked.has(token) && (t.exp === null || now() < t.exp);
            if (ok) o.next({ data: { echo: id } });
            else
              o.next({
                errors: [{ message: 'Unauthenticated', extensions: { code: 'UNAUTHENTICATED' } }],
              });
            o.complete();
          },
        };
        pending.push(req);
        if (auto) queueMicrotask(req.answer);
        return () => {
          const i = pending.indexOf(req);
          if (i >= 0) pending.splice(i, 1);
        };
      }),
  );
  const chain = ApolloLink.from([
    createTokenRefreshLink(manager),
    ...(tamper ? [tamper] : []),
    server,
  ]);

  const start = (skip = false) => {
    const id = ops.length;
    const op: Op = {
      id,
      skip,
      events: [],
      settledAt: null,
      unsubscribed: false,
      sends: 0,
      unsubscribe: () => {},
    };
    ops.push(op);
    const settle = (kind: string) => {
      op.events.push(kind);
      if (op.settledAt !== null) v.push(`op ${id} got ${kind} after it settled`);
      if (op.unsubscribed) v.push(`op ${id} got ${kind} after unsubscribe`);
    };
    const sub = ApolloLink.execute(
      chain,
      { query: QUERY, variables: { id }, ...(skip && { context: { tokenRefresh: { skip } } }) },
      { client },
    ).subscribe({
      next: (r) => {
        settle('next');
        op.result = r.data ? 'data' : 'unauthenticated';
      },
      error: (e: unknown) => {
        settle('error');
        op.error = e;
        if (!TokenRefreshError.is(e)) v.push(`op ${id} errored with an untyped ${String(e)}`);
        op.settledAt ??= now();
      },
      complete: () => {
        settle('complete');
        op.settledAt ??= now();
      },
    });
    op.unsubscribe = () => {
      if (op.settledAt !== null || op.unsubscribed) return;
      op.unsubscribed = true;
      sub.unsubscribe();
    };
  };

  const ignore = (e: unknown) => {
    if (!TokenRefreshError.is(e)) v.push(`manager call rejected with an untyped ${String(e)}`);
  };
  // A refresh that started before the latest setTokens must not replace those tokens.
  manager.on('tokens', (t) => {
    const from = refreshedBy.get(t.accessToken);
    if (from !== undefined && from < epoch)
      v.push(`${t.accessToken} from a refresh started before setTokens replaced the new session`);
  });
  const afterCommand = () => {
    if (loggedOut && stored !== null) v.push('logged out but storage is not empty');
  };

  try {
    await flush();
    for (const c of s.cmds) {
      switch (c.k) {
        case 'op':
          start();
          break;
        case 'publicOp': {
          const before = pending.length;
          start(true);
          // Opted out: never held, not even while a refresh runs; reaches the server at once.
          if (pending.length !== before + 1) v.push(`public op ${ops.length - 1} was held`);
          break;
        }
        case 'unsub': {
          const open = ops.filter((o) => o.settledAt === null && !o.unsubscribed);
          open[c.i % Math.max(1, open.length)]?.unsubscribe();
          break;
        }
        case 'respond':
          pending[c.i % Math.max(1, pending.length)]?.answer();
          break;
        case 'refresh': {
          const call = calls.find((x) => x.live);
          if (!call) break;
          const was = loggedOut;
          if (c.outcome === 'ok') {
            const t = issue(c.ttl, true);
            refreshedBy.set(t.accessToken, call.epoch);
            call.resolve(t);
          } else call.reject(httpError(c.outcome === 'fatal' ? 401 : 503));
          await flush();
          if (!was && loggedOut && call.epoch < epoch)
            v.push('a refresh started before setTokens ended the new session');
          break;
        }
        case 'tick':
          await vi.advanceTimersByTimeAsync(c.ms);
          break;
        case 'jump':
          vi.setSystemTime(now() + c.ms);
          break;
        case 'revoke':
          if (stored) revoked.add(stored.accessToken);
          break;
        case 'setTokens': {
          const t = issue(c.ttl);
          loggedOut = false;
          epoch++;
          manager.setTokens(t).catch(ignore);
          break;
        }
        case 'logout':
          manager.logout().catch(ignore);
          break;
        case 'manualRefresh':
          manager.refresh().catch(ignore);
          break;
      }
      await flush();
      afterCommand();
    }

    // Drain: the server answers at once, every new refresh hangs. Each operation must settle
    // within two hung refreshes (one before sending, one for its single retry).
    auto = true;
    for (const r of [...pending]) r.answer();
    const drainStart = now();
    for (let t = 0; t <= 2 * CYCLE + 2 * STEP; t += STEP) {
      await vi.advanceTimersByTimeAsync(STEP);
      await flush();
      afterCommand();
    }
    for (const op of ops) {
      if (op.unsubscribed) continue;
      const terminal = op.events.filter((e) => e !== 'next').length;
      const nexts = op.events.length - terminal;
      if (terminal !== 1 || nexts > 1) v.push(`op ${op.id} settled as [${op.events}]`);
      else if (op.settledAt !== null && op.settledAt > drainStart + 2 * CYCLE + STEP)
        v.push(`op ${op.id} settled ${op.settledAt - drainStart} ms into the drain`);
    }
    if (loggedOut && stored !== null) v.push('logged out but storage is not empty at the end');
    for (const op of ops) {
      coverage.ops++;
      if (op.unsubscribed) coverage.unsubscribed++;
      if (op.sends === 2) coverage.retried++;
      if (op.result === 'data') coverage.data++;
      if (op.result === 'unauthenticated') coverage.unauthenticated++;
      if (SessionExpiredError.is(op.error)) coverage.sessionExpired++;
      if (RefreshFailedError.is(op.error)) coverage.refreshFailed++;
    }
  } finally {
    for (const op of ops) op.unsubscribe();
    manager.dispose();
  }
  return v;
}
