import { print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { TicksDocument } from '../../fixtures/__generated__/graphql.js';
import { inspected, reachableTokens, tokensIn } from '../support/leaks.js';
import { useEnvironment } from './environment.js';

const start = useEnvironment();

// graphql-ws hands a close it does not retry (4500) to `client.subscribe`
// sinks as the raw close event, whose `target` is the socket. Nothing reachable from it may hold
// a token: apps log these errors.
describe('a ws close outside the re-auth codes (4500 Internal Server Error)', () => {
  it('the error handed to the sink, and what console.error prints of it, hold no token', async () => {
    const {
      app,
      stack,
      world,
      endpoint,
      console: captured,
      leaks,
    } = await start('apollo', 'rotating');
    const values: unknown[] = [];
    const errors: unknown[] = [];
    const stop = app.ws.subscribe(
      { query: print(TicksDocument), variables: { intervalMs: 20 } },
      {
        next: (value) => {
          values.push(value);
          world.changed();
        },
        error: (error) => {
          errors.push(error);
          world.changed();
        },
        complete: () => world.changed(),
      },
    );
    try {
      await world.until(() => values.length >= 2, 'the first ticks');
      stack.ws.closeAll(4500, 'Internal server error');
      await world.until(() => errors.length > 0, 'the subscription error');
    } finally {
      stop();
    }

    // What an app's error handler does with it.
    const printed = captured.calls.length;
    console.error(errors[0]);
    expect(captured.calls.slice(printed).map((call) => call.method)).toEqual(['error']);
    expect(leaks()).toEqual([]);
    expect(tokensIn(endpoint.issued, inspected('sink error', errors))).toEqual([]);
    expect(reachableTokens(errors[0], endpoint.issued)).toEqual([]);
    // The same close as the ws client's `closed` listeners got it.
    expect(app.wsEvents.flatMap((event) => reachableTokens(event, endpoint.issued))).toEqual([]);
  });
});
