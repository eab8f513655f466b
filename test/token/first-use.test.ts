/**
 * The first use of a manager loads its tokens. From a synchronous storage (`memoryStorage`,
 * `webStorage`) that happens at once, so the first operation after a page load needs no wait;
 * an asynchronous storage is waited for.
 */
import { ApolloLink } from '@apollo/client';
import { describe, expect, it, vi } from 'vitest';
import { createTokenRefreshLink } from '../../src/links/create-token-refresh-link.js';
import { TokenManager } from '../../src/token/manager.js';
import { memoryStorage } from '../../src/token/storage.js';
import type { RefreshFunction, TokenSet } from '../../src/token/types.js';
import { execute, stubLink } from '../links/stub.js';
import { jwt } from './helpers.js';

describe('the first use of a manager', () => {
  it('reads a synchronous storage at once: the first operation goes out without waiting', async () => {
    const session: TokenSet = { accessToken: await jwt(Date.now() + 60_000), refreshToken: 'rt' };
    const manager = new TokenManager({
      refresh: vi.fn<RefreshFunction>(),
      storage: memoryStorage(session),
    });
    expect(manager.peekAccessToken()).toBe(session.accessToken);
    const stub = stubLink();
    const first = execute(ApolloLink.from([createTokenRefreshLink(manager), stub.link]), 1);
    // Delivered before this line: no promise, no queue between the link and the request.
    expect(first.outcome.values).toEqual([{ data: { echo: 1 } }]);
    expect(stub.sent[0]?.token).toBe(session.accessToken);
    manager.dispose();
  });

  it('waits for an asynchronous storage, reading it once for every operation that waited', async () => {
    const session: TokenSet = { accessToken: await jwt(Date.now() + 60_000), refreshToken: 'rt' };
    const load = vi.fn(async () => session);
    const manager = new TokenManager({
      refresh: vi.fn<RefreshFunction>(),
      storage: { load, save: async () => {}, clear: async () => {} },
    });
    expect(manager.peekAccessToken()).toBeUndefined();
    const stub = stubLink();
    const link = ApolloLink.from([createTokenRefreshLink(manager), stub.link]);
    const operations = [execute(link, 1), execute(link, 2)];
    expect(stub.sent).toEqual([]);
    await Promise.all(operations.map((operation) => operation.settled));
    expect(stub.sent.map((sent) => sent.token)).toEqual([session.accessToken, session.accessToken]);
    expect(load).toHaveBeenCalledTimes(1);
    manager.dispose();
  });

  it('a synchronous storage that throws: operations fail with STORAGE_FAILED, a later one tries again', async () => {
    let broken = true;
    const session: TokenSet = { accessToken: await jwt(Date.now() + 60_000) };
    const manager = new TokenManager({
      refresh: vi.fn<RefreshFunction>(),
      storage: {
        load: () => {
          if (broken) throw new Error('storage disabled');
          return session;
        },
        save: () => {},
        clear: () => {},
      },
    });
    await expect(manager.getAccessToken()).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    broken = false;
    expect(await manager.getAccessToken()).toBe(session.accessToken);
    manager.dispose();
  });
});
