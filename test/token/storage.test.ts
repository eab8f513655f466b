import { describe, expect, it } from 'vitest';
import { TokenManager } from '../../src/token/manager.js';
import { memoryStorage, webStorage } from '../../src/token/storage.js';
import { MapStorage } from '../support/tokens.js';

describe('memoryStorage', () => {
  it('round-trips and clears; instances are independent', async () => {
    const seeded = memoryStorage({ accessToken: 'a' });
    const empty = memoryStorage();
    expect(await seeded.load()).toEqual({ accessToken: 'a' });
    expect(await empty.load()).toBeNull();
    await empty.save({ accessToken: 'b', refreshToken: 'rb', expiresAt: 5 });
    expect(await empty.load()).toEqual({ accessToken: 'b', refreshToken: 'rb', expiresAt: 5 });
    await empty.clear();
    expect(await empty.load()).toBeNull();
    expect(await seeded.load()).toEqual({ accessToken: 'a' });
  });
});

describe('webStorage', () => {
  it('round-trips JSON under one key (default apollo-token-refresh)', async () => {
    const backing = new MapStorage();
    const storage = webStorage(backing);
    expect(await storage.load()).toBeNull();
    const tokens = { accessToken: 'acc', refreshToken: 'ref', expiresAt: 1_800_000_000_000 };
    await storage.save(tokens);
    expect(backing.length).toBe(1);
    expect(JSON.parse(backing.getItem('apollo-token-refresh') ?? '')).toEqual(tokens);
    expect(await webStorage(backing).load()).toEqual(tokens);
    await storage.clear();
    expect(backing.length).toBe(0);
    expect(await storage.load()).toBeNull();
  });

  it('uses a custom key', async () => {
    const backing = new MapStorage();
    await webStorage(backing, 'my-app').save({ accessToken: 'x' });
    expect(backing.getItem('my-app')).not.toBeNull();
    expect(await webStorage(backing).load()).toBeNull();
  });

  it('loads a corrupt or foreign value as null, and the manager starts signed out', async () => {
    for (const raw of ['{not json', '"a string"', '{}', '{"accessToken":""}', 'null', '42']) {
      const backing = new MapStorage();
      backing.setItem('apollo-token-refresh', raw);
      expect(await webStorage(backing).load()).toBeNull();
      const manager = new TokenManager({
        refresh: async () => ({ accessToken: 'n' }),
        storage: webStorage(backing),
      });
      expect(await manager.getAccessToken()).toBeNull();
    }
  });

  it('as the manager’s storage: holds each new token set and is emptied by logout', async () => {
    const backing = new MapStorage();
    const manager = new TokenManager({
      refresh: async () => ({ accessToken: 'refreshed', refreshToken: 'r2' }),
      storage: webStorage(backing),
    });
    await manager.setTokens({ accessToken: 'first', refreshToken: 'r1', expiresAt: 0 });
    expect(await manager.getAccessToken()).toBe('refreshed');
    expect(JSON.parse(backing.getItem('apollo-token-refresh') ?? '')).toEqual({
      accessToken: 'refreshed',
      refreshToken: 'r2',
    });
    await manager.logout();
    expect(backing.getItem('apollo-token-refresh')).toBeNull();
  });
});
