import type { App, TickWatch } from './app.js';
import type { Stack } from './stack.js';
import { ACCESS_TTL_MS, type World } from './world.js';

/** Server time between two rounds of operations: 15 rounds per token lifetime. */
export const STEP_MS = 20_000;

/** Failed connects the client must have seen before a stopped ws server comes back (~5 s). */
export const FAILED_CONNECTS = 5;

export interface Lived {
  /** Rounds run (fewer than asked when the run gave up). */
  steps: number;
  /** Token lifetimes of server time those rounds covered. */
  lifetimes: number;
  /** Queries and mutations sent. */
  operations: number;
  /** The ids of the counted mutations sent, one per round. */
  mutationIds: string[];
}

/**
 * Lives through `lifetimes` token lifetimes of server time in 20-second steps, each step an
 * `echo` query, a `me` query and a counted mutation sent at once. Stops early once the app saw
 * `giveUpAfter` failures: a broken session is not driven further, so a failing run stays quick.
 * `midway` runs once, after the middle step.
 */
export async function liveThrough(
  app: App,
  world: World,
  lifetimes: number,
  options: { giveUpAfter?: number; midway?: () => Promise<void> } = {},
): Promise<Lived> {
  const { giveUpAfter = 12, midway } = options;
  const total = Math.round((lifetimes * ACCESS_TTL_MS) / STEP_MS);
  const mutationIds: string[] = [];
  let steps = 0;
  while (steps < total && app.failures.length < giveUpAfter) {
    steps++;
    world.advance(STEP_MS);
    const id = `step-${steps}`;
    mutationIds.push(id);
    await Promise.all([app.echo(steps), app.me(), app.record(id)]);
    if (midway && steps === Math.floor(total / 2)) await midway();
  }
  return {
    steps,
    lifetimes: (steps * STEP_MS) / ACCESS_TTL_MS,
    operations: steps * 3,
    mutationIds,
  };
}

/** How many of `ids` the server executed other than exactly once. */
export const notExecutedOnce = (executions: ReadonlyMap<string, number>, ids: readonly string[]) =>
  ids.filter((id) => executions.get(id) !== 1).length;

/**
 * A graphql-ws server restart: it stops (sockets dropped, connects refused) until the client has
 * failed to connect `FAILED_CONNECTS` times (its first close is the dropped socket), or the
 * subscription gave up; then it listens again on the same port. Driven by the client's events,
 * so the window is as long as those attempts take (about 5 s with a reconnect a second apart).
 */
export async function restartWsServer(stack: Stack, app: App, watch: TickWatch): Promise<void> {
  const closedBefore = app.wsClosed;
  await stack.ws.stop();
  await stack.world
    .until(
      () => app.wsClosed - closedBefore >= 1 + FAILED_CONNECTS || watch.errors.length > 0,
      `${FAILED_CONNECTS} failed connects`,
      20_000,
    )
    .catch(() => {}); // the subscription's own state says what happened
  await stack.ws.start();
}
