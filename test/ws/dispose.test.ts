import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { httpRefresh } from '../../fixtures/server/refresh.js';
import type { RefreshFunction } from '../../src/token/types.js';
import { flushEventLoop } from '../support/flush.js';
import { condition } from '../support/wait.js';
import { useWsHarness, watchTicks } from '../support/ws-harness.js';

const { start, current } = useWsHarness();

let unhandled: unknown[] = [];
const record = (reason: unknown) => void unhandled.push(reason);
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', record);
});
afterEach(() => {
  process.off('unhandledRejection', record);
});

/** A refresh through the server's `/refresh` that waits until the test lets it go on. */
function heldRefresh() {
  const events = condition();
  let started = 0;
  let release: (outcome: 'answer' | 'fail') => void = () => {};
  const refresh: RefreshFunction = async (context) => {
    started++;
    events.poke();
    const outcome = await new Promise<'answer' | 'fail'>((resolve) => {
      release = resolve;
    });
    if (outcome === 'fail') throw new Error('network down');
    const server = current()?.server;
    if (!server) throw new Error('no server');
    return httpRefresh(server.refreshUrl)(context);
  };
  return {
    refresh,
    untilStarted: () => events.until(() => started > 0, 'the refresh to start'),
    release: (outcome: 'answer' | 'fail') => release(outcome),
  };
}

describe('createAuthWsClient dispose()', () => {
  it.each([
    ['the refresh then answers', 'answer'],
    ['the refresh then fails (RefreshFailedError)', 'fail'],
    ['the manager is then disposed', 'dispose manager'],
  ] as const)(
    'not awaited while the socket waits for a refresh, and %s: no unhandled rejection',
    async (_, then) => {
      let time = Date.now();
      const held = heldRefresh();
      const harness = await start({
        server: { now: () => time },
        manager: { refresh: held.refresh, retry: { attempts: 1 } },
      });
      time += 45_000; // the 60 s token is expiring: the connect refreshes it first
      const ticks = watchTicks(harness.client);
      await held.untilStarted();
      expect(harness.connected).toBe(0);

      void harness.client.dispose(); // as a React effect cleanup does
      if (then === 'dispose manager') harness.manager.dispose();
      else held.release(then);

      // graphql-ws ends the subscription once the pending connect settles.
      await ticks.ended();
      // Two turns: an unhandled rejection is reported after the microtasks of a turn.
      await flushEventLoop(2);
      expect(unhandled).toEqual([]);
    },
  );
});
