import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { TokenManager } from '../../src/token/manager.js';
import { createAuthWsClient } from '../../src/ws.js';
import { startGraphqlWsServer } from '../support/graphql-ws-server.js';
import { condition } from '../support/wait.js';
import { steppedRetryWait, useWsHarness, watchTicks } from '../support/ws-harness.js';

const { start } = useWsHarness();

/** Counts what the client reports on `on('error')` (a refused connection is one). */
function countErrors(client: ReturnType<typeof createAuthWsClient>) {
  const counter = { errors: 0 };
  client.on('error', () => counter.errors++);
  return counter;
}

describe('createAuthWsClient while the WebSocket server is down or restarting', () => {
  it('our server killed (connections dropped, then refused 3 times) and revived on the same port: ticks resume without an error', async () => {
    const retry = steppedRetryWait();
    const harness = await start({ client: { retryWait: retry.retryWait, retryAttempts: 5 } });
    const reported = countErrors(harness.client);
    const ticks = watchTicks(harness.client);
    await ticks.more(2);

    await harness.server.kill();
    await retry.untilWaiting(1); // the dropped socket (1006) is retried
    for (let refused = 1; refused <= 3; refused++) {
      retry.release();
      await retry.untilWaiting(refused + 1); // that attempt was refused, and is retried too
    }
    expect(reported.errors).toBe(3);
    await harness.server.revive();
    retry.release();
    await harness.untilConnected(2);
    await ticks.more(2, 'ticks after the restart');

    expect(ticks.errors).toEqual([]);
    expect(ticks.completed).toBe(0);
    expect(retry.waits).toEqual([0, 1, 2, 3]);
    expect(harness.closed[0]).toBe(1006);
    expect(harness.server.counters.wsConnections.map((connection) => connection.accepted)).toEqual([
      true,
      true,
    ]);
    expect(harness.manager.status).toBe('authenticated');
  });

  it('past retryAttempts the subscription ends with an error that holds no token', async () => {
    const retry = steppedRetryWait();
    const harness = await start({ client: { retryWait: retry.retryWait, retryAttempts: 2 } });
    const ticks = watchTicks(harness.client);
    await ticks.more(1);

    await harness.server.kill();
    await retry.untilWaiting(1);
    retry.release(); // attempt 1: refused
    await retry.untilWaiting(2);
    retry.release(); // attempt 2: refused, the last one
    const error = await ticks.error('the error after the last attempt');

    expect(retry.waits).toEqual([0, 1]);
    expect(ticks.errors).toHaveLength(1);
    expect(ticks.completed).toBe(0);
    expect(harness.leaks(inspect(error, { depth: 10 }))).toEqual([]);
    expect(harness.manager.status).toBe('authenticated'); // only the socket gave up, not the session
  });

  describe("against graphql-ws's own server (useServer)", () => {
    const cleanup: (() => Promise<void> | void)[] = [];
    afterEach(async () => {
      for (const step of cleanup.splice(0).reverse()) await step();
    });

    it('stopped (1001 Going away, then refused twice) and started again on the same port: ticks resume without an error', async () => {
      const server = await startGraphqlWsServer();
      cleanup.push(() => server.stop());
      const manager = new TokenManager({
        refresh: async () => ({ accessToken: await server.issueToken() }),
      });
      cleanup.push(() => manager.dispose());
      await manager.setTokens({ accessToken: await server.issueToken() });
      const retry = steppedRetryWait();
      const client = createAuthWsClient(manager, {
        url: server.url,
        webSocketImpl: WebSocket,
        retryWait: retry.retryWait,
      });
      cleanup.push(() => client.dispose());
      const connections = condition();
      let connected = 0;
      client.on('connected', () => {
        connected++;
        connections.poke();
      });
      const reported = countErrors(client);
      const ticks = watchTicks(client);
      await ticks.more(2);

      await server.stop();
      await retry.untilWaiting(1); // the 1001 close is retried
      for (let refused = 1; refused <= 2; refused++) {
        retry.release();
        await retry.untilWaiting(refused + 1);
      }
      expect(reported.errors).toBe(2);
      await server.start();
      retry.release();
      await connections.until(() => connected === 2, 'the connection after the restart');
      await ticks.more(2, 'ticks after the restart');

      expect(ticks.errors).toEqual([]);
      expect(retry.waits).toEqual([0, 1, 2]);
      expect(server.accepted).toBe(2);
      ticks.stop();
    });
  });
});
