/**
 * Time and progress in the compatibility suite.
 *
 * The servers (token endpoint, every verifier) read `world.now()`: real time plus a shift the test
 * moves forward, so a 5-minute token lifetime passes in one call and nothing waits for time. The
 * device (the TokenManager's `now`) reads the same plus its skew.
 *
 * Why clocks handed to the verifiers rather than `vi.useFakeTimers({ toFake: ['Date'] })`: every
 * verifier here takes one (jose's `currentDate` in Apollo Server's context function, the gateway
 * and graphql-ws's `onConnect`; jsonwebtoken's `clockTimestamp`, which graphql-yoga's JWT plugin
 * passes through from `tokenVerification`), while a faked `Date` is a single clock for the whole
 * process, and a wrong device clock needs two that disagree.
 */
import { condition } from '../support/wait.js';

export interface World {
  /** The servers' clock, epoch ms. */
  now(): number;
  /** Moves the servers' clock (and so every device clock) forward. */
  advance(ms: number): void;
  /** A clock `skewMs` off the servers' one: what a device with a wrong clock reads. */
  deviceClock(skewMs: number): () => number;
  /** Tells the waiters that something they may be waiting for happened. */
  changed(): void;
  /**
   * Resolves once `done()` holds, checked now and after every `changed()`; rejects naming `what`
   * after `ms` of real time (a bound, not a way to let time pass).
   */
  until(done: () => boolean, what: string, ms?: number): Promise<void>;
}

export function createWorld(): World {
  let shift = 0;
  const changes = condition();
  const now = () => Date.now() + shift;
  return {
    now,
    advance(ms) {
      shift += ms;
    },
    deviceClock: (skewMs) => () => now() + skewMs,
    changed: changes.poke,
    until: changes.until,
  };
}

/** A 5-minute access token, Keycloak's default and the lifetime the issue was found with. */
export const ACCESS_TTL_MS = 5 * 60_000;

/** Device clock skews of the matrix: 10 minutes slow, right, 10 minutes fast. */
export const SKEWS_MS = [-10 * 60_000, 0, 10 * 60_000] as const;

/** `-10 min`, `0`, `+10 min`. */
export const skewLabel = (skewMs: number) =>
  skewMs === 0 ? '0' : `${skewMs > 0 ? '+' : '−'}${Math.abs(skewMs) / 60_000} min`;
