/**
 * Schedules that once broke an invariant of the property suite, kept as regression guards: each
 * as its smallest direct reproduction and as the shrunk counterexample run through the model.
 * A newly found one goes here first, failing, until the code is fixed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryStorage, TokenManager, type TokenSet } from '../../src/index.js';
import { flushEventLoop } from '../support/flush.js';
import { runScenario, useModelClock } from './model.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('schedules that once broke an invariant', () => {
  it('a refresh overtaken by setTokens of an expired token hands its waiters the next refresh’s token, never the expired one', async () => {
    const now = 1_000_000;
    const calls: string[] = [];
    const manager = new TokenManager({
      now: () => now,
      refreshBeforeExpiryMs: 5_000,
      storage: memoryStorage({ accessToken: 'A', refreshToken: 'ra' }),
      refresh: ({ refreshToken, signal }) => {
        calls.push(String(refreshToken));
        // The first call hangs until aborted; a later one answers with a fresh token.
        if (calls.length === 1) {
          return new Promise<TokenSet>((_, reject) =>
            signal.addEventListener('abort', () => reject(signal.reason)),
          );
        }
        return Promise.resolve({ accessToken: 'C', refreshToken: 'rc', expiresAt: now + 60_000 });
      },
    });
    const waiter = manager.refresh();
    await flushEventLoop(1);
    expect(calls).toEqual(['ra']); // the refresh is in flight
    // The app signs in again with a token that has expired already.
    await manager.setTokens({ accessToken: 'B', refreshToken: 'rb', expiresAt: now - 1_000 });
    // getAccessToken() never hands out B: it refreshes first, with B's refresh token.
    expect(await manager.getAccessToken()).toBe('C');
    // The overtaken refresh's waiter joins that refresh (RefreshFlight's tokenAfterSuperseded):
    // C too. A waiter handed whatever token was current would get the expired B.
    expect(await waiter).toBe('C');
    // One aborted call with A's refresh token, then one call both share.
    expect(calls).toEqual(['ra', 'rb']);
    manager.dispose();
  });

  it('the overtaken refresh as the property suite found it (shrunk counterexample): every invariant holds', async () => {
    useModelClock();
    const violations = await runScenario({
      initialTtl: null,
      scheduleRefresh: false,
      commands: [
        { kind: 'op' },
        { kind: 'setTokens', ttl: null },
        { kind: 'respond', index: 0 },
        { kind: 'setTokens', ttl: 0 },
        { kind: 'refresh', outcome: 'ok', ttl: 6_000 },
      ],
    });
    // The broken invariant read: "op 0 sent with at.2, known expiring (…)".
    expect(violations).toEqual([]);
  });

  it('a refreshed token shorter-lived than refreshBeforeExpiryMs serves every later call: one refresh for five', async () => {
    // Tokens living 20 s with the default 30 s margin: a plausible misconfiguration.
    const now = 1_000_000;
    let calls = 0;
    const manager = new TokenManager({
      now: () => now,
      storage: memoryStorage({ accessToken: 'A', refreshToken: 'r', expiresAt: now - 1 }),
      refresh: async () => {
        calls++;
        return { accessToken: `T${calls}`, refreshToken: 'r', expiresAt: now + 20_000 };
      },
    });
    const tokens: (string | null)[] = [];
    for (let call = 0; call < 5; call++) tokens.push(await manager.getAccessToken());
    // A token the manager counted as expiring on arrival would be refreshed again for every call
    // (T1…T5, a refresh per operation); a freshly refreshed token is used for at least the first
    // half of its remaining life.
    expect(calls).toBe(1);
    expect(tokens).toEqual(['T1', 'T1', 'T1', 'T1', 'T1']);
    manager.dispose();
  });

  it('the short-lived refreshed token as the property suite found it (shrunk counterexample): every invariant holds', async () => {
    useModelClock();
    const violations = await runScenario({
      initialTtl: 0,
      scheduleRefresh: false,
      commands: [
        { kind: 'op' },
        { kind: 'refresh', outcome: 'ok', ttl: 1 },
        { kind: 'unsub', index: 0 },
      ],
    });
    // The broken invariant read: "op 0 sent with at.2, known expiring (…)".
    expect(violations).toEqual([]);
  });
});
