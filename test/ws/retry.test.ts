import { afterEach, describe, expect, it, vi } from 'vitest';
import { RefreshFailedError, SessionExpiredError } from '../../src/shared/errors.js';
import { AuthCloseCode } from '../../src/ws/close-codes.js';
import { randomisedBackoff } from '../../src/ws/graphql-ws-workarounds.js';
import { retriesAtOnce, retryByDefault, shouldRetryConnection } from '../../src/ws/retry.js';

const close = (code: number) => ({ code, reason: '', wasClean: true });

describe('the retry decision (unit)', () => {
  const always = { mayReauthenticate: true, shouldRetry: () => true };
  const never = { mayReauthenticate: false, shouldRetry: () => false };

  it('decides our own cases whatever the app says, and asks the app about the rest', () => {
    expect(shouldRetryConnection(close(AuthCloseCode.TokenChanged), never)).toBe(true);
    expect(shouldRetryConnection(close(AuthCloseCode.Reauthenticate), always)).toBe(true);
    expect(shouldRetryConnection(close(AuthCloseCode.Reauthenticate), never)).toBe(false);
    expect(shouldRetryConnection(new SessionExpiredError(), always)).toBe(false);
    expect(shouldRetryConnection(new RefreshFailedError(), never)).toBe(true);
    expect(shouldRetryConnection(close(4000), always)).toBe(true);
    expect(shouldRetryConnection(close(4000), never)).toBe(false);
    expect(shouldRetryConnection(new Error('from connectionParams'), never)).toBe(false);
  });

  it('skips the backoff only for our own restarts and re-auth', () => {
    expect(retriesAtOnce(close(AuthCloseCode.TokenChanged))).toBe(true);
    expect(retriesAtOnce(close(AuthCloseCode.Reauthenticate))).toBe(true);
    expect(retriesAtOnce(close(1006))).toBe(false);
    expect(retriesAtOnce(new RefreshFailedError())).toBe(false);
  });

  it('retries closes by default, not errors that did not come from a socket', () => {
    expect(retryByDefault(close(1006))).toBe(true);
    expect(retryByDefault(new Error('from connectionParams'))).toBe(false);
    expect(retryByDefault({ type: 'error' })).toBe(false);
  });
});

describe('the default backoff (fake timers)', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  /** How long each of the 5 default retries waits, with `Math.random()` returning `random`. */
  async function waits(random: number) {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(random);
    const result: number[] = [];
    for (let retries = 0; retries < 5; retries++) {
      const started = Date.now();
      let done = false;
      void randomisedBackoff(retries).then(() => {
        done = true;
      });
      await vi.runAllTimersAsync();
      expect(done).toBe(true);
      result.push(Date.now() - started);
    }
    return result;
  }

  it("waits 2^retries s plus 0.3–3 s, as graphql-ws's default: the 5th retry comes after a 30 s outage", async () => {
    const shortest = await waits(0);
    const longest = await waits(1); // the bound Math.random() approaches
    expect(shortest).toEqual([1_300, 2_300, 4_300, 8_300, 16_300]);
    expect(longest).toEqual([4_000, 5_000, 7_000, 11_000, 19_000]);
    expect(shortest.reduce((sum, wait) => sum + wait, 0)).toBeGreaterThan(30_000);
  });
});
