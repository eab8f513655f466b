/**
 * The test server in a worker thread, for the soak: its memory (mock store, sessions, revoked
 * set) stays out of the main thread's heap, which then measures the client side alone. The main
 * thread drives it with `{ id, method, args }` messages; see `test/reliability/soak.ts`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startTestServer } from '../../fixtures/server/index.js';
import type { TestServerKnobs } from '../../fixtures/server/types.js';

const port = parentPort;
if (!port) throw new Error('server-worker.ts must run in a worker thread');
const init = workerData as { clock: number; accessTtlMs: number };
let clock = init.clock;
const server = await startTestServer({ now: () => clock, accessTtlMs: init.accessTtlMs });

const api = {
  setClock: (now: number) => {
    clock = now;
  },
  knobs: (knobs: Partial<TestServerKnobs>) => {
    Object.assign(server.knobs, knobs);
  },
  bump: (knob: 'graphql502' | 'graphqlDrop') => {
    server.knobs[knob]++;
  },
  login: (user?: string) => server.login(user),
  revoke: (token: string) => server.revokeAccessToken(token),
  /** The counters so far, then zeroed (their per-request logs would grow the worker's heap). */
  drain: () => {
    const { requests, refreshes, unauthorized, maxConcurrentRefreshes } = server.counters;
    server.resetCounters();
    return { requests, refreshes, unauthorized, maxConcurrentRefreshes };
  },
  close: () => server.close(),
};
export type ServerApi = typeof api;

port.on('message', async (call: { id: number; method: keyof ServerApi; args: unknown[] }) => {
  try {
    const method = api[call.method] as (...args: unknown[]) => unknown;
    port.postMessage({ id: call.id, result: await method(...call.args) });
  } catch (error) {
    port.postMessage({
      id: call.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
});
port.postMessage({
  ready: { url: server.url, wsUrl: server.wsUrl, refreshUrl: server.refreshUrl },
});
