/** The worker side of `server-thread.ts`: hosts one test server at a time and answers calls. */
import { parentPort } from 'node:worker_threads';
import { startTestServer } from '../../fixtures/server/index.js';
import type { TestServer } from '../../fixtures/server/types.js';
import { clockOf } from './clock.js';
import type { Call, Calls, Reply } from './server-thread.js';

const port = parentPort;
if (!port) throw new Error('server-worker.ts runs on a worker thread');

let server: TestServer | undefined;
const live = () => {
  if (!server) throw new Error('server-worker: no server started');
  return server;
};

const calls: Calls = {
  async start(options, buffer) {
    server = await startTestServer({ ...options, now: clockOf(buffer).now });
    return { url: server.url, refreshUrl: server.refreshUrl };
  },
  login: () => live().login(),
  signAccessToken: (o) => live().signAccessToken(o),
  revokeAccessToken: (t) => live().revokeAccessToken(t),
  setKnobs: (k) => {
    Object.assign(live().knobs, k);
  },
  resetCounters: () => live().resetCounters(),
  counters: () => {
    const { requests, unauthorized, refreshes, maxConcurrentRefreshes } = live().counters;
    return { requests, unauthorized, refreshes, maxConcurrentRefreshes };
  },
  async close() {
    await server?.close();
    server = undefined;
  },
};

port.on('message', async ({ id, op, args }: Call) => {
  try {
    const value = await (calls[op] as (...a: unknown[]) => unknown)(...args);
    port.postMessage({ id, value } satisfies Reply);
  } catch (e) {
    port.postMessage({ id, error: e instanceof Error ? e.message : String(e) } satisfies Reply);
  }
});
