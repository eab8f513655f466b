import { describe, expect, it } from 'vitest';
import { describeError } from '../support/outcomes.js';
import { useEnvironment } from './environment.js';
import { liveThrough, notExecutedOnce } from './session.js';

const start = useEnvironment();

// A refresh answered `{ accessToken }` only (RFC 6749 §6) must keep the
// refresh token, or the next refresh goes out without one and the session ends.
describe('a non-rotating refresh endpoint (answers { accessToken } only)', () => {
  it('keeps the session over four token lifetimes: every refresh presents the refresh token', async () => {
    const { app, world, endpoint, stack, leaks } = await start('apollo', 'non-rotating');

    const lived = await liveThrough(app, world, 4);

    expect(app.failures.map(describeError)).toEqual([]);
    expect(app.logouts).toHaveLength(0);
    expect(lived.lifetimes).toBe(4);
    expect(endpoint.stats.missingRefreshToken).toBe(0);
    expect(endpoint.stats.rejected).toBe(0);
    // One refresh per lifetime: the session really was renewed, and never more than needed.
    expect(endpoint.stats.refreshes).toBeGreaterThanOrEqual(3);
    expect(endpoint.stats.refreshes).toBeLessThanOrEqual(4);
    expect(notExecutedOnce(stack.shared.executions, lived.mutationIds)).toBe(0);
    expect(leaks()).toEqual([]);
  });
});
