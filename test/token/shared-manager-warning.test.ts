import { SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenManager } from '../../src/index.js';

const secret = new TextEncoder().encode('shared-manager-warning-secret-0123456789');
const tokenFor = (sub: string) =>
  new SignJWT({ sub }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(secret);

const refresh = () => Promise.reject(new Error('not used'));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a TokenManager shared between server requests is made visible', () => {
  it('warns once when one manager signs in two different users on a server, without tokens', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const manager = new TokenManager({ refresh });
    const alice = await tokenFor('alice');
    const bob = await tokenFor('bob');
    await manager.setTokens({ accessToken: alice });
    expect(warn).not.toHaveBeenCalled();
    await manager.setTokens({ accessToken: bob });
    await manager.setTokens({ accessToken: alice });
    expect(warn).toHaveBeenCalledTimes(1);
    const message = String(warn.mock.calls[0]?.[0]);
    expect(message).toMatch(/one per request/);
    expect(message).not.toContain(alice);
    expect(message).not.toContain(bob);
    manager.dispose();
  });

  it('stays quiet for the same user signing in again, and for opaque tokens', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const manager = new TokenManager({ refresh });
    await manager.setTokens({ accessToken: await tokenFor('alice') });
    await manager.setTokens({ accessToken: await tokenFor('alice') });
    await manager.setTokens({ accessToken: 'opaque-1' });
    await manager.setTokens({ accessToken: 'opaque-2' });
    expect(warn).not.toHaveBeenCalled();
    manager.dispose();
  });

  it('stays quiet in a browser, where one user signing out and another in is normal', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.stubGlobal('document', {});
    try {
      const manager = new TokenManager({ refresh });
      await manager.setTokens({ accessToken: await tokenFor('alice') });
      await manager.setTokens({ accessToken: await tokenFor('bob') });
      expect(warn).not.toHaveBeenCalled();
      manager.dispose();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
