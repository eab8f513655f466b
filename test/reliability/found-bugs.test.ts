/**
 * Bugs the property suite found, each as its smallest reproduction (direct, and the shrunk
 * counterexample through the model). Both were fixed in src/token/manager.ts on 2026-11-22;
 * the tests stay as regression guards. A new bug goes here first, failing, until it is fixed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryStorage, TokenManager, type TokenSet } from '../../src/index.js';
import { flushEventLoop } from '../support/flush.js';
import { runScenario, useModelClock } from './model.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('bugs found by the reliability suites (regression guards)', () => {
  it('BUG 1: a refresh superseded by setTokens hands its waiters an already-expiring token', async () => {
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
    // getAccessToken() would never hand out B (it refreshes first); the superseded waiter must not either.
    expect(await manager.getAccessToken()).toBe('C');
    // Before the fix: 'B' (a superseded refresh handed out whatever token was current).
    expect(await waiter).not.toBe('B');
    manager.dispose();
  });

  it('BUG 1 as the property suite found it (shrunk counterexample)', async () => {
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
    // Before the fix: ["op 0 sent with at.2, known expiring (…)"]
    expect(violations).toEqual([]);
  });

  it('BUG 2: a refreshed token shorter-lived than refreshBeforeExpiryMs is sent, and every later call refreshes again', async () => {
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
    // Before the fix: ['T1'…'T5'] and 5 refresh calls: each operation was sent with a token the
    // manager itself counted as expiring, then refreshed again (a refresh per operation). Fixed
    // by using a freshly refreshed token for at least half of its remaining life.
    expect(calls).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    manager.dispose();
  });

  it('BUG 2 as the property suite found it (shrunk counterexample)', async () => {
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
    // Before the fix: ["op 0 sent with at.2, known expiring (…)"]
    expect(violations).toEqual([]);
  });
});
