/**
 * Server rendering (Node, no DOM): `react-dom/server` renders the probes without throwing, from
 * the server snapshot, and leaves no listener on the request's manager.
 */
import { renderToString } from 'react-dom/server';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startTestServer } from '../../fixtures/server/index.js';
import { httpRefresh } from '../../fixtures/server/refresh.js';
import type { TestServer } from '../../fixtures/server/types.js';
import { TokenManager } from '../../src/token/manager.js';
import { countListeners } from '../support/fake-manager.js';
import { newRenders, probes } from '../support/react-probes.js';

let server: TestServer;
let manager: TokenManager;

beforeEach(async () => {
  server = await startTestServer();
  manager = new TokenManager({ refresh: httpRefresh(server.refreshUrl) });
});

afterEach(async () => {
  manager.dispose();
  await server.close();
});

it('renders the server snapshot, whatever the manager holds, and subscribes to nothing', async () => {
  // A signed-in manager of this request: the browser's may not be (not loaded yet), and the
  // HTML must match what hydration renders there.
  await manager.setTokens(await server.login());
  expect(manager.status).toBe('authenticated');
  const listeners = countListeners(manager);
  const renders = newRenders();

  const html = renderToString(probes(manager, renders));

  expect(html).toBe(
    '<div><output id="status">unauthenticated</output><output id="expiry">null</output></div>',
  );
  expect(renders).toEqual({ status: ['unauthenticated'], expiry: [null] });
  // Server rendering never subscribes: nothing would ever unsubscribe it.
  expect(listeners.active).toBe(0);
});
