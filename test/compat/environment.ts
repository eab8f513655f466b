import { afterEach } from 'vitest';
import { type CapturedConsole, captureConsole, inspected, tokensIn } from '../support/leaks.js';
import { type App, type AppOptions, startApp } from './app.js';
import { type ServerKind, type Stack, startStack } from './stack.js';
import type { Rotation } from './token-endpoint.js';

/** Where an issued token shows up in what the app saw (errors, events) or in a console line. */
export function leaksOf(stack: Stack, app: App, captured: CapturedConsole): string[] {
  return tokensIn(stack.endpoint.issued, [
    ...inspected('failed operation', app.failures),
    ...inspected('refreshFailed event', app.refreshFailures),
    ...inspected('logout reason', app.logouts),
    ...inspected('ws client event', app.wsEvents),
    ...captured.lines(),
  ]);
}

/**
 * `start(server, rotation, app?)` gives a test its real servers and a signed-in app, with
 * `console` captured; all are closed (and `console` restored) after the test, whatever happened.
 */
export function useEnvironment() {
  const open: { close(): Promise<void> | void }[] = [];
  afterEach(async () => {
    for (const thing of open.splice(0).reverse()) await thing.close();
  });
  return async (
    server: ServerKind,
    rotation: Rotation,
    app: Partial<Omit<AppOptions, 'world' | 'endpoint'>> = {},
  ) => {
    const captured = captureConsole();
    open.push({ close: captured.restore });
    const stack: Stack = await startStack(server, rotation);
    open.push(stack);
    const started = startApp({
      world: stack.world,
      endpoint: stack.endpoint,
      httpUrl: stack.http.url,
      wsUrl: stack.ws.url,
      ...app,
    });
    open.push(started);
    await started.signIn();
    return {
      stack,
      app: started,
      world: stack.world,
      endpoint: stack.endpoint,
      console: captured,
      /** Where an issued token showed up so far (see `leaksOf`). */
      leaks: () => leaksOf(stack, started, captured),
    };
  };
}

/** Which issued token each entry is (`-1`: none): compares tokens without printing them. */
export const issuedIndexes = (issued: readonly string[], tokens: readonly (string | null)[]) =>
  tokens.map((token) => (token === null ? -1 : issued.indexOf(token)));
