/**
 * Waiting for something to happen, never for time to pass. Time in a test moves through an
 * injected clock or fake timers; these only bound how long a test waits for an event (a tick, a
 * connection, a close) before it fails naming what it waited for.
 *
 * - `condition()` is the usual way: whoever changes the state calls `poke()`, and `until()`
 *   re-checks then.
 * - `within(promise, what)` bounds any promise.
 * - `eventually(holds, what)` re-checks on a short timer, for state that announces nothing (a
 *   server's counters, the process's open handles). Prefer `condition()` where an event exists.
 */

/** Rejects with a message naming `what` when `promise` does not settle within `ms`. */
export function within<T>(promise: Promise<T>, what: string, ms = 5_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves `until(holds)` once `holds()` is true, re-checked whenever `poke()` is called. */
export function condition() {
  const waiters = new Set<{ holds: () => boolean; resolve: () => void }>();
  return {
    /** Something changed: resolves every waiter whose `holds()` is now true. */
    poke() {
      for (const waiter of [...waiters])
        if (waiter.holds()) {
          waiters.delete(waiter);
          waiter.resolve();
        }
    },
    /** Resolves once `holds()` is true; rejects naming `what` after `ms` of real time. */
    until(holds: () => boolean, what: string, ms?: number): Promise<void> {
      if (holds()) return Promise.resolve();
      let waiter: { holds: () => boolean; resolve: () => void } | undefined;
      const held = new Promise<void>((resolve) => {
        waiter = { holds, resolve };
        waiters.add(waiter);
      });
      // A waiter that timed out is dropped, so later pokes do not re-check it.
      return within(held, what, ms).finally(() => {
        if (waiter) waiters.delete(waiter);
      });
    },
  };
}

/**
 * Resolves once `holds()` is true, re-checked every few milliseconds; rejects naming `what` after
 * `ms`. Only for state nothing announces; see `condition()`.
 */
export async function eventually(holds: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
