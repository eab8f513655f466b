import { afterEach, describe, expect, it } from 'vitest';
import { flushEventLoop } from '../support/flush.js';
import { inspected, tokensIn } from '../support/leaks.js';
import { describeError } from '../support/outcomes.js';
import { useEnvironment } from './environment.js';
import { ACCESS_TTL_MS } from './world.js';

const start = useEnvironment();

/**
 * Records the process's unhandled rejections instead of letting vitest fail the whole run on
 * them, so the test can assert on them. Vitest's own listeners are back after `restore()`.
 */
function recordUnhandledRejections() {
  const reasons: unknown[] = [];
  const previous = process.listeners('unhandledRejection');
  const record = (reason: unknown) => reasons.push(reason);
  process.removeAllListeners('unhandledRejection');
  process.on('unhandledRejection', record);
  return {
    reasons,
    restore() {
      process.off('unhandledRejection', record);
      for (const listener of previous) process.on('unhandledRejection', listener);
    },
  };
}
let recording: ReturnType<typeof recordUnhandledRejections> | undefined;
afterEach(() => {
  recording?.restore();
  recording = undefined;
});

/**
 * Lets everything already settled run to its end: the rejection chains below are promise
 * callbacks only, and Node reports an unhandled rejection once the microtasks of a turn drained.
 */
const drain = () => flushEventLoop(5);

// `wsClient.dispose()` not awaited (a React effect cleanup) while the socket's
// connect waits for a refresh must not reject unhandled when that wait ends badly.
describe('wsClient.dispose() not awaited while a connect waits for a refresh', () => {
  it.each([
    ['the refresh then fails', 'fail'],
    ['the manager is disposed too', 'dispose manager'],
  ] as const)('%s: no unhandled rejection', async (_, ending) => {
    const { app, world, endpoint, leaks } = await start('apollo', 'rotating', {
      manager: { retry: { attempts: 1 } },
    });
    // Expiring: the socket's connect has to wait for a refresh, which the endpoint holds.
    world.advance(ACCESS_TTL_MS - 10_000);
    const release = endpoint.holdRefreshes();
    const sinkErrors: unknown[] = [];
    app.ws.subscribe(
      { query: 'subscription { ticks(intervalMs: 20) }' },
      { next: () => {}, error: (error) => sinkErrors.push(error), complete: () => {} },
    );
    await world.until(() => endpoint.stats.refreshes === 1, 'the connect to wait for a refresh');

    recording = recordUnhandledRejections();
    void app.ws.dispose(); // what a React effect cleanup does
    if (ending === 'fail') {
      endpoint.failRefreshesWith(503);
      release();
      await world.until(() => app.refreshFailures.length === 1, 'the refresh to fail');
    } else {
      app.manager.dispose();
      release();
    }
    await drain();

    expect(recording.reasons.map(describeError)).toEqual([]);
    expect(tokensIn(endpoint.issued, inspected('sink error', sinkErrors))).toEqual([]);
    expect(leaks()).toEqual([]);
  });
});
