/** The server thread of `server.ts`: one test server at a time, set up as the bench asks. */
import { parentPort } from 'node:worker_threads';
import { startTestServer } from '../fixtures/server/index.js';
import type { TestServer } from '../fixtures/server/types.js';
import { type Call, clockOf, type Reply, type StartedServer } from './server.js';

const port = parentPort;
if (!port) throw new Error('server-worker runs on a worker thread');
let server: TestServer | undefined;

async function answer(call: Call): Promise<unknown> {
  if (call.op === 'start') {
    const { session = 'valid', refuseRefresh, ...options } = call.setup;
    server = await startTestServer({ ...options, now: clockOf(call.clock).now });
    const tokens = await server.login();
    if (session === 'expired') tokens.accessToken = await server.signAccessToken({ ttlMs: -1000 });
    if (session === 'revoked') server.revokeAccessToken(tokens.accessToken);
    if (refuseRefresh) server.knobs.refresh = '401';
    const { url, refreshUrl, wsUrl } = server;
    return { url, refreshUrl, wsUrl, tokens } satisfies StartedServer;
  }
  if (!server) throw new Error('server-worker: no server started');
  if (call.op === 'counters') {
    const { requests, unauthorized, refreshes, maxConcurrentRefreshes } = server.counters;
    return { requests, unauthorized, refreshes, maxConcurrentRefreshes };
  }
  await server.close();
  server = undefined;
  return undefined;
}

port.on('message', (call: Call) => {
  answer(call).then(
    (value) => port.postMessage({ value } satisfies Reply),
    (error: unknown) => port.postMessage({ error: String(error) } satisfies Reply),
  );
});
