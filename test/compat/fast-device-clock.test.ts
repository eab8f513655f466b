import { describe, expect, it } from 'vitest';
import { describeError } from '../support/outcomes.js';
import { useEnvironment } from './environment.js';
import { liveThrough, notExecutedOnce } from './session.js';

const start = useEnvironment();

const TEN_MINUTES_FAST = 10 * 60_000;

// With the device clock 10 minutes fast, every 5-minute token looks expired on
// arrival. A token `refresh` just returned must not be thrown away for that: with single-use
// refresh tokens the retry would present a used one and reuse detection would end the session.
describe('a device clock 10 minutes fast, 5-minute access tokens', () => {
  it.each(['rotating', 'non-rotating'] as const)(
    '%s refresh tokens: the first operation after sign-in succeeds, no reuse, no logout',
    async (rotation) => {
      const { app, world, endpoint, stack, leaks } = await start('apollo', rotation, {
        skewMs: TEN_MINUTES_FAST,
      });

      const echo = await app.echo(1);
      expect(app.failures.map(describeError)).toEqual([]);
      expect(echo).toBe(1);
      expect(endpoint.stats.reused).toBe(0);
      expect(endpoint.stats.refreshes).toBeLessThanOrEqual(1);

      // And on through two lifetimes: at most one refresh each (plus the one above, if any).
      const lived = await liveThrough(app, world, 2);
      expect(app.failures.map(describeError)).toEqual([]);
      expect(app.logouts).toHaveLength(0);
      expect(endpoint.stats.reused).toBe(0);
      expect(endpoint.stats.rejected).toBe(0);
      expect(endpoint.stats.refreshes).toBeLessThanOrEqual(3);
      expect(notExecutedOnce(stack.shared.executions, lived.mutationIds)).toBe(0);
      expect(leaks()).toEqual([]);
    },
  );
});
