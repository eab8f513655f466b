import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useWsHarness, watchTicks } from '../support/ws-harness.js';

const { start } = useWsHarness();

/** What `console.error(...values)` prints, captured through a real `Console`. */
function printedByConsoleError(...values: unknown[]): string {
  let text = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  new Console({ stdout: sink, stderr: sink }).error(...values);
  return text;
}

describe('createAuthWsClient keeps tokens out of what it hands out', () => {
  it('a server close outside the re-auth codes (4500) reaches the sink without any token', async () => {
    const harness = await start();
    const sockets: unknown[] = [];
    const closeEvents: unknown[] = [];
    harness.client.on('connected', (socket) => sockets.push(socket));
    harness.client.on('closed', (event) => closeEvents.push(event));
    const ticks = watchTicks(harness.client);
    await ticks.more(2);
    harness.server.closeWsConnections(4500, 'Internal server error');
    const error = await ticks.error();
    await harness.untilClosed(1);

    const printed = printedByConsoleError(error);
    const inspected = [error, ...sockets, ...closeEvents].map((value) =>
      inspect(value, { depth: 10 }),
    );
    // The sink was told why (so these texts are the real thing, not empty), and no token of the
    // session is in any of them.
    expect(printed).toContain('4500');
    expect(sockets).toHaveLength(1);
    expect(harness.leaks(printed)).toEqual([]);
    expect(harness.leaks(...inspected)).toEqual([]);
  });
});
