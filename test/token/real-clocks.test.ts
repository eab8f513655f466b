/**
 * The token core against what real servers and real clocks do: refresh answers that leave
 * fields out, device clocks minutes off the server's, retries that must not pile up listeners.
 * Real JWTs signed on a server clock the test moves; the device clock is the manager's `now`.
 */
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { RefreshFailedError } from '../../src/shared/errors.js';
import { TokenManager } from '../../src/token/manager.js';
import { memoryStorage } from '../../src/token/storage.js';
import type { RefreshFunction, TokenSet } from '../../src/token/types.js';
import { flushEventLoop } from '../support/flush.js';

const MIN = 60_000;
const LIFETIME = 5 * MIN; // Keycloak's default access token lifetime
const secret = new TextEncoder().encode('real-clocks-test-secret-0123456789abcdef');

/** A token endpoint on its own clock, issuing 5-minute JWTs with `iat` and `exp`. */
function tokenEndpoint(options: { rotate: boolean }) {
  const server = { now: 1_800_000_000_000 };
  const issued: string[] = [];
  const presented: (string | undefined)[] = [];
  let refreshSerial = 0;
  let validRefreshToken = 'r0';
  const sign = async (sub = 'alice') => {
    const seconds = Math.floor(server.now / 1000);
    const token = await new SignJWT({ sub })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(seconds)
      .setExpirationTime(seconds + LIFETIME / 1000)
      .setJti(`jti-${issued.length}`)
      .sign(secret);
    issued.push(token);
    return token;
  };
  const refresh: RefreshFunction = async ({ refreshToken }) => {
    presented.push(refreshToken);
    if (refreshToken !== validRefreshToken) {
      throw Object.assign(new Error('invalid_grant'), { status: 400 });
    }
    const accessToken = await sign();
    if (!options.rotate) return { accessToken }; // RFC 6749 §6: the refresh token is kept
    validRefreshToken = `r${++refreshSerial}`; // single use: the old one is dead now
    return { accessToken, refreshToken: validRefreshToken };
  };
  const signIn = async (): Promise<TokenSet> => ({
    accessToken: await sign(),
    refreshToken: validRefreshToken,
  });
  return { server, issued, presented, refresh, signIn };
}

const open: TokenManager[] = [];
afterEach(() => {
  for (const manager of open.splice(0)) manager.dispose();
});

function managerFor(
  refresh: RefreshFunction,
  device: { now: number },
  retry?: { attempts: number },
) {
  const manager = new TokenManager({
    refresh,
    now: () => device.now,
    refreshBeforeExpiryMs: 30_000,
    ...(retry && { retry: { ...retry, delayMs: () => 0 } }),
  });
  open.push(manager);
  return manager;
}

describe('a refresh answer that leaves fields out', () => {
  it('keeps the current refresh token when the server does not rotate it (3 lifetimes, no logout)', async () => {
    const endpoint = tokenEndpoint({ rotate: false });
    const device = { now: endpoint.server.now };
    const manager = managerFor(endpoint.refresh, device);
    let logouts = 0;
    manager.on('logout', () => logouts++);
    await manager.setTokens(await endpoint.signIn());
    for (let lifetime = 1; lifetime <= 3; lifetime++) {
      endpoint.server.now += LIFETIME;
      device.now += LIFETIME;
      expect(await manager.getAccessToken()).toBe(endpoint.issued.at(-1));
    }
    expect(endpoint.presented).toEqual(['r0', 'r0', 'r0']);
    expect(logouts).toBe(0);
    expect(manager.status).toBe('authenticated');
  });

  it('setTokens (a sign-in) replaces everything, the refresh token included', async () => {
    const presented: (string | undefined)[] = [];
    const manager = managerFor(
      async ({ refreshToken }) => {
        presented.push(refreshToken);
        return { accessToken: 'c' };
      },
      { now: 0 },
    );
    await manager.setTokens({ accessToken: 'a', refreshToken: 'r-old' });
    await manager.setTokens({ accessToken: 'b' });
    await manager.refresh();
    expect(presented).toEqual([undefined]);
  });
});

describe('a device clock 10 minutes off the server', () => {
  for (const offset of [-10 * MIN, 0, +10 * MIN]) {
    for (const rotate of [true, false]) {
      it(`clock ${offset / MIN} min, ${rotate ? 'single-use rotating' : 'non-rotating'} refresh tokens: one refresh per lifetime, nothing fails, nobody is logged out`, async () => {
        const endpoint = tokenEndpoint({ rotate });
        const device = { now: endpoint.server.now + offset };
        const manager = managerFor(endpoint.refresh, device, { attempts: 1 });
        const failures: unknown[] = [];
        let logouts = 0;
        manager.on('logout', () => logouts++);
        manager.on('refreshFailed', (error) => failures.push(error));
        await manager.setTokens(await endpoint.signIn());
        // Right after sign-in: the fresh token is used as it is.
        expect(await manager.getAccessToken()).toBe(endpoint.issued[0]);
        expect(endpoint.presented).toEqual([]);
        // Three lifetimes in 30-second steps; the server accepts a token until its `exp`.
        const steps = (3 * LIFETIME) / 30_000;
        for (let step = 0; step < steps; step++) {
          endpoint.server.now += 30_000;
          device.now += 30_000;
          const token = await manager.getAccessToken();
          expect(token).toBe(endpoint.issued.at(-1));
        }
        // Refreshed once per lifetime (30 s ahead of expiry), never more.
        expect(endpoint.presented.length).toBe(3);
        expect(failures).toEqual([]);
        expect(logouts).toBe(0);
        // Judged on the device clock: the expiry is the token's lifetime from its arrival.
        const expiresAt = manager.expiresAt ?? 0;
        expect(expiresAt - device.now).toBeGreaterThan(0);
        expect(expiresAt - device.now).toBeLessThanOrEqual(LIFETIME);
      });
    }
  }

  it('the judged expiry travels with the tokens, so storage read on a reload agrees', async () => {
    const endpoint = tokenEndpoint({ rotate: true });
    const device = { now: endpoint.server.now + 10 * MIN };
    const storage = memoryStorage();
    const first = new TokenManager({ refresh: endpoint.refresh, storage, now: () => device.now });
    open.push(first);
    await first.setTokens(await endpoint.signIn());
    const stored = await storage.load();
    expect(stored?.expiresAt).toBe(device.now + LIFETIME);
    // A reload: a new manager over the same storage uses the token without a refresh.
    device.now += MIN;
    const reloaded = new TokenManager({
      refresh: endpoint.refresh,
      storage,
      now: () => device.now,
    });
    open.push(reloaded);
    expect(await reloaded.getAccessToken()).toBe(endpoint.issued[0]);
    expect(endpoint.presented).toEqual([]);
  });
});

describe('retries', () => {
  it('any number of attempts adds no listener per attempt (no MaxListenersExceededWarning)', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const manager = managerFor(
        async () => {
          throw new Error('503');
        },
        { now: 0 },
        { attempts: 12 },
      );
      await manager.setTokens({ accessToken: 'old', expiresAt: 0 });
      const error = await manager.getAccessToken().catch((error: unknown) => error);
      expect(RefreshFailedError.is(error)).toBe(true);
      // Node reports the warning on a later tick.
      await flushEventLoop(1);
      expect(warnings.map((warning) => warning.name)).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
