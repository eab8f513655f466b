// @vitest-environment happy-dom
/**
 * The hooks in real React: react-dom renders the probes into a happy-dom document and a real
 * TokenManager refreshes against the real test server. Nothing calls a hook as a function.
 */
import { act } from 'react';
import { createRoot, hydrateRoot, type Root } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startTestServer } from '../../fixtures/server/index.js';
import { httpRefresh } from '../../fixtures/server/refresh.js';
import type { TestServer } from '../../fixtures/server/types.js';
import { SessionExpiredError } from '../../src/shared/errors.js';
import { TokenManager } from '../../src/token/manager.js';
import type { RefreshFunction } from '../../src/token/types.js';
import { deferred } from '../support/deferred.js';
import { countListeners } from '../support/fake-manager.js';
import { newRenders, probes } from '../support/react-probes.js';

// Tells React that updates are wrapped in `act` (no "not wrapped in act" warnings).
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let server: TestServer;
let clock: { now: number };
let roots: Root[];
let managers: TokenManager[];

beforeEach(async () => {
  clock = { now: Date.now() };
  server = await startTestServer({ accessTtlMs: 60_000, now: () => clock.now });
  roots = [];
  managers = [];
});

afterEach(async () => {
  for (const root of roots) act(() => root.unmount());
  for (const manager of managers) manager.dispose();
  document.body.innerHTML = '';
  await server.close();
});

/** A manager on the test server's `/refresh`; each refresh first waits for `gate`, if given. */
function newManager(gate?: () => Promise<void>) {
  const http = httpRefresh(server.refreshUrl);
  const refresh: RefreshFunction = async (context) => {
    await gate?.();
    return http(context);
  };
  const manager = new TokenManager({
    refresh,
    now: () => clock.now,
    refreshBeforeExpiryMs: 5_000,
    retry: { attempts: 1 },
  });
  managers.push(manager);
  return manager;
}

function mount(element: React.ReactNode) {
  const container = document.createElement('div');
  document.body.append(container);
  const root = createRoot(container);
  roots.push(root);
  act(() => root.render(element));
  return { root, container, text: (id: string) => container.querySelector(`#${id}`)?.textContent };
}

describe('useTokenStatus', () => {
  it('shows refreshing while a real refresh runs, then authenticated', async () => {
    let gate = deferred<void>();
    const manager = newManager(() => gate.promise);
    const renders = newRenders();
    const view = mount(probes(manager, renders));
    expect(view.text('status')).toBe('unauthenticated');

    await act(async () => manager.setTokens(await server.login()));
    expect(view.text('status')).toBe('authenticated');

    let refreshed!: Promise<string>;
    await act(async () => {
      refreshed = manager.refresh();
    });
    expect(view.text('status')).toBe('refreshing');
    expect(server.counters.refreshes).toBe(0); // still held by the gate

    await act(async () => {
      gate.resolve();
      await refreshed;
    });
    expect(view.text('status')).toBe('authenticated');
    expect(server.counters.refreshes).toBe(1);
    expect(renders.status).toEqual([
      'unauthenticated',
      'authenticated',
      'refreshing',
      'authenticated',
    ]);

    gate = deferred<void>();
    gate.resolve();
    // The server rejects the refresh token: the session ends and the probe says so.
    server.revokeRefreshToken(server.counters.refreshTokensSeen[0] ?? '');
    // happy-dom reports a failed fetch as a browser's console does, on the process's stderr
    // (not through `console`): the expected line is caught and checked instead of printed.
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await act(async () => {
        await expect(manager.refresh()).rejects.toBeInstanceOf(SessionExpiredError);
      });
      expect(stderr.mock.calls.map(([chunk]) => String(chunk))).toEqual([
        `POST ${server.refreshUrl} 401 (Unauthorized)\n`,
      ]);
    } finally {
      stderr.mockRestore();
    }
    expect(view.text('status')).toBe('unauthenticated');
    expect(renders.status.slice(4)).toEqual(['refreshing', 'unauthenticated']);
  });
});

describe('useTokenExpiry', () => {
  it('follows every new token and logout', async () => {
    const manager = newManager();
    const renders = newRenders();
    const view = mount(probes(manager, renders));
    expect(view.text('expiry')).toBe('null');

    const tokens = await server.login();
    await act(() => manager.setTokens(tokens));
    const first = manager.expiresAt;
    // The server's 60 s token (`exp − iat`), judged from the moment it arrived.
    expect(first).toBe(clock.now + 60_000);
    expect(view.text('expiry')).toBe(String(first));

    // Ten seconds later, a refresh brings a token that expires ten seconds later.
    clock.now += 10_000;
    await act(() => manager.refresh());
    const second = manager.expiresAt;
    expect(second).toBe(clock.now + 60_000);
    expect(second).toBeGreaterThan(first ?? Infinity - 1);
    expect(view.text('expiry')).toBe(String(second));

    await act(() => manager.logout());
    expect(view.text('expiry')).toBe('null');
    expect(renders.expiry).toEqual([null, first, second, null]);
  });
});

describe('subscriptions', () => {
  it('registers listeners while mounted and removes every one on unmount', async () => {
    const manager = newManager();
    const listeners = countListeners(manager);
    const renders = newRenders();
    const view = mount(probes(manager, renders));
    expect(listeners.active).toBeGreaterThan(0);

    act(() => view.root.unmount());
    expect(listeners.active).toBe(0);

    // Nothing is left to re-render: events after unmount reach no component.
    const before = renders.status.length + renders.expiry.length;
    await manager.setTokens(await server.login());
    await manager.refresh();
    await manager.logout();
    expect(renders.status.length + renders.expiry.length).toBe(before);
  });

  it('moves its listeners to another manager passed in', async () => {
    const firstManager = newManager();
    const secondManager = newManager();
    const first = countListeners(firstManager);
    const second = countListeners(secondManager);
    const renders = newRenders();
    const view = mount(probes(firstManager, renders));
    const perManager = first.active;

    act(() => view.root.render(probes(secondManager, renders)));
    expect(first.active).toBe(0);
    expect(second.active).toBe(perManager);

    await act(async () => secondManager.setTokens(await server.login()));
    expect(view.text('status')).toBe('authenticated');
  });
});

describe('hydration', () => {
  it('matches the server HTML even when the client manager is already signed in', async () => {
    // The server renders with a manager of its own (one per request), not signed in.
    const html = renderToString(probes(newManager(), newRenders()));
    // The browser's manager has its tokens before React hydrates.
    const manager = newManager();
    await manager.setTokens(await server.login());

    const container = document.createElement('div');
    container.innerHTML = html;
    document.body.append(container);
    const recoverable = vi.fn();
    const consoleError = vi.spyOn(console, 'error');
    try {
      await act(async () => {
        roots.push(
          hydrateRoot(container, probes(manager, newRenders()), {
            onRecoverableError: recoverable,
          }),
        );
      });
      expect(recoverable).not.toHaveBeenCalled();
      expect(consoleError).not.toHaveBeenCalled();
    } finally {
      consoleError.mockRestore();
    }
    // Right after hydration, the real values.
    expect(container.querySelector('#status')?.textContent).toBe('authenticated');
    expect(container.querySelector('#expiry')?.textContent).toBe(String(manager.expiresAt));
  });
});
