/**
 * Letting pending work run before a test looks. Two meanings, two helpers:
 *
 * - `flushMicrotasks()` runs promise callbacks only (it awaits resolved promises). It queues no
 *   timer and no macrotask, so it works under any fake timers, and it never lets I/O or a timer
 *   in: use it in unit tests of the token core, where everything pending is a promise chain.
 * - `flushEventLoop()` lets the event loop turn a few times (`setImmediate`): every microtask
 *   runs, and so does I/O that is already ready and anything queued for the next turn (rxjs and
 *   Apollo deliver some results there). Use it for links and real clients. Under fake timers it
 *   needs `setImmediate` left real (`toFake` without it, as the property model does).
 *
 * Both are bounded; neither waits for time to pass: move the clock for that.
 */

/** Runs pending promise callbacks for `rounds` microtask turns. */
export async function flushMicrotasks(rounds = 20): Promise<void> {
  for (let round = 0; round < rounds; round++) await Promise.resolve();
}

/** Lets the event loop turn `turns` times (no timer of our own). */
export async function flushEventLoop(turns = 5): Promise<void> {
  for (let turn = 0; turn < turns; turn++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
