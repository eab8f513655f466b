import { captureConsole, inspected, tokensIn } from '../support/leaks.js';
import { describeError } from '../support/outcomes.js';
import { startApp } from './app.js';
import { leaksOf } from './environment.js';
import { liveThrough, notExecutedOnce, restartWsServer } from './session.js';
import { type ServerKind, startStack } from './stack.js';
import type { Rotation } from './token-endpoint.js';
import { skewLabel } from './world.js';

/** One cell of the matrix: a server, a token endpoint, a device clock. */
export interface CellSpec {
  server: ServerKind;
  rotation: Rotation;
  skewMs: number;
  /** Stop the graphql-ws server halfway, until the client saw 5 failed connects, then restart it. */
  wsRestart?: boolean;
}

export interface CellResult {
  server: ServerKind;
  wsRestart: boolean;
  rotation: Rotation;
  clock: string;
  /** Access token lifetimes of server time the session lived through. */
  lifetimes: number;
  /** The run stopped early: the session was broken beyond doubt (see `liveThrough`). */
  stoppedEarly: boolean;
  /** Requests the refresh endpoint received. */
  refreshes: number;
  /** Queries and mutations sent, plus the subscription. */
  operations: number;
  /** Queries and mutations that failed, plus errors handed to the subscription. */
  failed: number;
  /** What the first few failures were (error names and codes, never messages). */
  failures: string[];
  logouts: number;
  /** Mutation ids the server executed other than exactly once. */
  mutationsNotOnce: number;
  /** The subscription delivered ticks after the last step. */
  ticking: boolean;
  /** Where an issued token showed up (errors, events, console lines). */
  leaks: string[];
}

const LIFETIMES = 3;

/**
 * Signs in, starts a `ticks` subscription, then lives through three token lifetimes of server
 * time in 20-second steps, each with a query, a `me` query and a counted mutation, and reports
 * what the app and the servers saw. Never throws for what the library does: that is the result.
 */
export async function runCell(spec: CellSpec): Promise<CellResult> {
  const captured = captureConsole();
  const stack = await startStack(spec.server, spec.rotation).catch((error: unknown) => {
    captured.restore();
    throw error;
  });
  const app = startApp({
    world: stack.world,
    endpoint: stack.endpoint,
    httpUrl: stack.http.url,
    wsUrl: stack.ws.url,
    skewMs: spec.skewMs,
  });
  try {
    await app.signIn();
    const watch = app.watchTicks();
    await watch.more(2);
    const lived = await liveThrough(app, stack.world, LIFETIMES, {
      ...(spec.wsRestart && { midway: () => restartWsServer(stack, app, watch) }),
    });
    const ticking = await watch.more(3);
    const failures = [...app.failures, ...watch.errors];
    const result: CellResult = {
      server: spec.server,
      wsRestart: spec.wsRestart === true,
      rotation: spec.rotation,
      clock: skewLabel(spec.skewMs),
      lifetimes: lived.lifetimes,
      stoppedEarly: lived.lifetimes < LIFETIMES,
      refreshes: stack.endpoint.stats.refreshes,
      operations: lived.operations + 1, // and the subscription
      failed: failures.length,
      failures: [...new Set(failures.map(describeError))].slice(0, 3),
      logouts: app.logouts.length,
      mutationsNotOnce: notExecutedOnce(stack.shared.executions, lived.mutationIds),
      ticking,
      leaks: [],
    };
    await app.close();
    // Last: closing may log too.
    result.leaks = [
      ...leaksOf(stack, app, captured),
      ...tokensIn(stack.endpoint.issued, inspected('subscription error', watch.errors)),
    ];
    return result;
  } finally {
    await app.close();
    await stack.close();
    captured.restore();
  }
}
