import { describe, expect, it } from 'vitest';
import { describeError } from '../support/outcomes.js';
import { useEnvironment } from './environment.js';
import { FAILED_CONNECTS, restartWsServer } from './session.js';

const start = useEnvironment();

// graphql-ws's default `shouldRetry` does not retry a refused connection, which would end every
// subscription on a server restart of a few seconds. The client retries it: a server down or
// restarting for up to 30 s is survived while the session lives.
describe('a graphql-ws server down for ~5 s, then back on the same port', () => {
  it('subscriptions resume by themselves, without an error', async () => {
    const { app, stack, leaks } = await start('apollo', 'rotating');
    const watch = app.watchTicks();
    expect(await watch.more(2)).toBe(true);
    const connectionsBefore = stack.ws.connections.length;
    const closedBefore = app.wsClosed;

    await restartWsServer(stack, app, watch);

    const resumed = await watch.more(3, 10_000);
    expect(watch.errors.map(describeError)).toEqual([]);
    expect(resumed).toBe(true);
    expect(app.logouts).toHaveLength(0);
    // The server was really gone that long: the dropped socket, then the refused connects.
    expect(app.wsClosed - closedBefore).toBeGreaterThanOrEqual(1 + FAILED_CONNECTS);
    // The client really went away and came back with a token the server accepted.
    const after = stack.ws.connections.slice(connectionsBefore);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((connection) => connection.accepted)).toBe(true);
    expect(leaks()).toEqual([]);
  });
});
