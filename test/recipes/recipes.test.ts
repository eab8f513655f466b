/**
 * The recipes of docs/recipes.md, run as they are written there: each ```ts block is written to
 * a module of the name on its first line (`// secure-storage.ts`) and imported, against the real
 * test server, a real ApolloClient and real TokenManagers. Storage is an in-memory key-value
 * store that answers asynchronously, as React Native's do; the app state is an emitter shaped
 * like React Native's `AppState`.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EchoDocument } from '../../fixtures/__generated__/graphql.js';
import { startTestServer } from '../../fixtures/server/index.js';
import { httpRefresh } from '../../fixtures/server/refresh.js';
import type { TestServer } from '../../fixtures/server/types.js';
import { createTokenRefreshLink } from '../../src/links/create-token-refresh-link.js';
import { TokenRefreshError } from '../../src/shared/errors.js';
import { TokenManager } from '../../src/token/manager.js';
import type { TokenStorage } from '../../src/token/types.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let dir: string;

/** The module docs/recipes.md shows under `// name`, imported from its very text. */
async function recipe<T>(name: string): Promise<T> {
  const markdown = await readFile(join(root, 'docs/recipes.md'), 'utf8');
  const blocks = [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  const code = blocks.find((block) => block.startsWith(`// ${name}\n`));
  if (!code) throw new Error(`docs/recipes.md has no \`// ${name}\` block`);
  const file = join(dir, name);
  // The package as users import it, here from its sources (the same classes as the tests').
  await writeFile(
    file,
    code.replaceAll("from 'apollo-token-refresh'", `from '${join(root, 'src/index.ts')}'`),
  );
  return import(file) as Promise<T>;
}

interface SecureKeyValueStore {
  getItemAsync(key: string): Promise<string | null>;
  setItemAsync(key: string, value: string): Promise<void>;
  deleteItemAsync(key: string): Promise<void>;
}
interface AsyncKeyValueStore {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}
interface AppStateLike {
  addEventListener(type: 'change', listener: (state: string) => void): { remove(): void };
}

/** Resolves on a later turn of the event loop: storage that is really asynchronous. */
const later = () => new Promise<void>((resolve) => setImmediate(resolve));

/** An in-memory store with both APIs; every call answers on a later turn. */
function keyValueStore() {
  const values = new Map<string, string>();
  const secure: SecureKeyValueStore = {
    async getItemAsync(key) {
      await later();
      return values.get(key) ?? null;
    },
    async setItemAsync(key, value) {
      await later();
      values.set(key, value);
    },
    async deleteItemAsync(key) {
      await later();
      values.delete(key);
    },
  };
  const plain: AsyncKeyValueStore = {
    getItem: secure.getItemAsync,
    setItem: secure.setItemAsync,
    removeItem: secure.deleteItemAsync,
  };
  return { values, secure, plain };
}

/** Shaped like React Native's AppState: `change` listeners and a way to move between states. */
function appState() {
  const listeners = new Set<(state: string) => void>();
  const state: AppStateLike & { set(next: string): void; readonly listeners: number } = {
    addEventListener(_type, listener) {
      const own = (next: string) => listener(next); // a subscription of its own, even for one function
      listeners.add(own);
      return { remove: () => void listeners.delete(own) };
    },
    set(next) {
      for (const listener of listeners) listener(next);
    },
    get listeners() {
      return listeners.size;
    },
  };
  return state;
}

let server: TestServer;
let clock: { now: number };
const managers: TokenManager[] = [];
const clients: ApolloClient[] = [];

beforeAll(async () => {
  await mkdir(join(root, '.vitest-tmp'), { recursive: true });
  dir = await mkdtemp(join(root, '.vitest-tmp/recipes-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function startServer(options: { rotateRefreshTokens?: boolean } = {}) {
  clock = { now: Date.now() };
  server = await startTestServer({ accessTtlMs: 60_000, now: () => clock.now, ...options });
}
afterEach(async () => {
  for (const client of clients.splice(0)) client.stop();
  for (const manager of managers.splice(0)) manager.dispose();
  await server?.close();
});

/** One start of the app: a manager over `storage` and an Apollo client using it. */
function app(storage?: TokenStorage) {
  const manager = new TokenManager({
    refresh: httpRefresh(server.refreshUrl),
    now: () => clock.now,
    refreshBeforeExpiryMs: 5_000,
    ...(storage && { storage }),
  });
  const client = new ApolloClient({
    cache: new InMemoryCache(),
    link: ApolloLink.from([createTokenRefreshLink(manager), new HttpLink({ uri: server.url })]),
  });
  managers.push(manager);
  clients.push(client);
  const echo = async (value: number) =>
    (await client.query({ query: EchoDocument, variables: { n: value }, fetchPolicy: 'no-cache' }))
      .data?.echo;
  return { manager, echo };
}

describe('secure storage adapter', () => {
  type SecureModule = {
    secureStorage(store: SecureKeyValueStore, key?: string): TokenStorage;
  };
  type AsyncModule = { asyncStorage(store: AsyncKeyValueStore, key?: string): TokenStorage };

  it.each([
    ['secure-storage.ts (getItemAsync…)', 'secure'],
    ['async-storage.ts (getItem…)', 'plain'],
  ] as const)(
    '%s: a session survives restarts, rotated refresh tokens included',
    async (_, api) => {
      const { secureStorage } = await recipe<SecureModule>('secure-storage.ts');
      const { asyncStorage } = await recipe<AsyncModule>('async-storage.ts');
      const store = keyValueStore();
      const storage = () =>
        api === 'secure' ? secureStorage(store.secure) : asyncStorage(store.plain);
      // Single-use refresh tokens: presenting an old one ends the whole session.
      await startServer({ rotateRefreshTokens: true });

      // First start: sign in.
      const first = app(storage());
      await first.manager.setTokens(await server.login());
      expect(await first.echo(1)).toBe(1);
      const signedIn = await first.manager.getAccessToken();
      expect(store.values.get('apollo-token-refresh')).toContain(signedIn);
      first.manager.dispose(); // the app is killed

      // Second start: the stored session, no sign-in and no refresh while the token is valid.
      const second = app(storage());
      expect(await second.echo(2)).toBe(2);
      expect(await second.manager.getAccessToken()).toBe(signedIn);
      expect(second.manager.status).toBe('authenticated');
      expect(server.counters.refreshes).toBe(0);
      // In the background overnight: the next operation refreshes, and the new pair is stored.
      clock.now += 8 * 3_600_000;
      expect(await second.echo(3)).toBe(3);
      expect(server.counters.refreshes).toBe(1);
      second.manager.dispose();

      // Third start: the rotated refresh token was stored, so the next refresh is accepted.
      const third = app(storage());
      clock.now += 8 * 3_600_000;
      expect(await third.echo(4)).toBe(4);
      expect(server.counters.refreshes).toBe(2);
      expect(server.counters.reuseDetections).toBe(0);
      expect(server.counters.unauthorized).toBe(0);

      // Sign-out deletes the key: the next start has nobody signed in.
      await third.manager.logout();
      expect(store.values.size).toBe(0);
      third.manager.dispose();
      const fourth = app(storage());
      expect(await fourth.manager.getAccessToken()).toBeNull();
    },
  );

  it('a stored value that is not JSON: STORAGE_FAILED, and a sign-in overwrites it', async () => {
    const { secureStorage } = await recipe<SecureModule>('secure-storage.ts');
    const store = keyValueStore();
    store.values.set('apollo-token-refresh', 'not json');
    await startServer();
    const { manager, echo } = app(secureStorage(store.secure));
    const error = await manager.getAccessToken().catch((error: unknown) => error);
    expect(TokenRefreshError.is(error) && error.code).toBe('STORAGE_FAILED');
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);

    await manager.setTokens(await server.login());
    expect(await echo(5)).toBe(5);
    expect(JSON.parse(store.values.get('apollo-token-refresh') ?? '')).toHaveProperty(
      'accessToken',
      await manager.getAccessToken(),
    );
  });
});

describe('refresh on resume', () => {
  type ResumeModule = {
    refreshOnResume(manager: Pick<TokenManager, 'getAccessToken'>, state: AppStateLike): () => void;
  };

  it('a resume after expiry refreshes once, before the next operation, which then waits for nothing', async () => {
    const { refreshOnResume } = await recipe<ResumeModule>('refresh-on-resume.ts');
    await startServer();
    const { manager, echo } = app();
    await manager.setTokens(await server.login());
    const state = appState();
    const stop = refreshOnResume(manager, state);
    const old = await manager.getAccessToken();

    state.set('inactive');
    state.set('background');
    clock.now += 8 * 3_600_000; // asleep overnight: the token expired
    const refreshed = new Promise<void>((resolve) => manager.on('tokens', () => resolve()));
    // Some platforms report `active` more than once on the way back.
    state.set('inactive');
    state.set('active');
    state.set('active');
    await refreshed;
    expect(server.counters.refreshes).toBe(1);
    expect(server.counters.requests).toBe(0); // the refresh ran before any operation

    expect(await Promise.all([echo(1), echo(2), echo(3)])).toEqual([1, 2, 3]);
    const fresh = await manager.getAccessToken();
    expect(fresh).not.toBe(old);
    expect(server.counters.refreshes).toBe(1);
    expect(server.counters.requestTokens).toEqual([fresh, fresh, fresh]);
    expect(server.counters.unauthorized).toBe(0);

    // A resume with a valid token costs nothing; stopping removes the listener.
    state.set('background');
    state.set('active');
    await echo(4);
    expect(server.counters.refreshes).toBe(1);
    stop();
    expect(state.listeners).toBe(0);
  });

  it('a resume when the session is over reports it through the manager and throws nothing', async () => {
    const { refreshOnResume } = await recipe<ResumeModule>('refresh-on-resume.ts');
    await startServer();
    const { manager } = app();
    await manager.setTokens(await server.login());
    const logouts: unknown[] = [];
    manager.on('logout', (reason) => logouts.push(reason));
    const state = appState();
    refreshOnResume(manager, state);
    server.knobs.refresh = '401';
    clock.now += 8 * 3_600_000;
    const loggedOut = new Promise<void>((resolve) => manager.on('logout', () => resolve()));
    state.set('active');
    await loggedOut;
    expect(logouts).toHaveLength(1);
    expect(manager.status).toBe('unauthenticated');
  });
});

describe('uploads', () => {
  type UploadsModule = {
    createUploader(
      manager: TokenManager,
      url: string,
    ): (file: Blob, signal?: AbortSignal) => Promise<unknown>;
  };

  it('a file upload whose token is rejected is refreshed once and sent again whole', async () => {
    const { createUploader } = await recipe<UploadsModule>('uploads.ts');
    await startServer();
    const { manager } = app();
    await manager.setTokens(await server.login());
    const old = await manager.getAccessToken();
    server.revokeAccessToken(old ?? '');
    const upload = createUploader(manager, `${server.origin}/rest/echo`);

    const result = await upload(new Blob(['file contents']));

    expect(result).toMatchObject({ user: 'alice', method: 'POST', body: 'file contents' });
    expect(server.counters.refreshes).toBe(1);
    expect(
      server.counters.restRequests.map((request) => [request.token === old, request.body]),
    ).toEqual([
      [true, 'file contents'],
      [false, 'file contents'],
    ]);
  });
});
