/**
 * On a server (no `document`), a manager that gets tokens of a second user says so once: it is
 * shared between requests and would send one user's token for another's. Never with a token.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenManager } from '../../src/index.js';
import { catchWarnings, SHARED_MANAGER_WARNING } from '../support/console.js';
import { jwt } from '../support/tokens.js';

const tokenFor = (user: string) => jwt(Date.now() + 3_600_000, user);

const refresh = () => Promise.reject(new Error('not used'));

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('a TokenManager shared between server requests is made visible', () => {
  it('warns once when one manager signs in two different users on a server, without tokens', async () => {
    const warnings = catchWarnings();
    const manager = new TokenManager({ refresh });
    const alice = await tokenFor('alice');
    const bob = await tokenFor('bob');
    await manager.setTokens({ accessToken: alice });
    expect(warnings.messages).toEqual([]);
    await manager.setTokens({ accessToken: bob });
    await manager.setTokens({ accessToken: alice });
    expect(warnings.messages).toEqual([SHARED_MANAGER_WARNING]);
    const [message = ''] = warnings.messages;
    expect(message).toMatch(/one per request/);
    expect(message).not.toContain(alice);
    expect(message).not.toContain(bob);
    manager.dispose();
  });

  it('stays quiet for the same user signing in again, and for opaque tokens', async () => {
    const warnings = catchWarnings();
    const manager = new TokenManager({ refresh });
    await manager.setTokens({ accessToken: await tokenFor('alice') });
    await manager.setTokens({ accessToken: await tokenFor('alice') });
    await manager.setTokens({ accessToken: 'opaque-1' });
    await manager.setTokens({ accessToken: 'opaque-2' });
    expect(warnings.messages).toEqual([]);
    manager.dispose();
  });

  it('stays quiet in a browser, where one user signing out and another in is normal', async () => {
    const warnings = catchWarnings();
    vi.stubGlobal('document', {});
    const manager = new TokenManager({ refresh });
    await manager.setTokens({ accessToken: await tokenFor('alice') });
    await manager.setTokens({ accessToken: await tokenFor('bob') });
    expect(warnings.messages).toEqual([]);
    manager.dispose();
  });
});
