/**
 * Yields 1, 2, 3… every `intervalMs` (real timers) until `limit` values or `return()`.
 * Hand-written rather than an async generator so `return()` clears the pending timer at once
 * instead of waiting for the next tick.
 */
export function ticks(intervalMs: number, limit: number | null): AsyncIterableIterator<number> {
  let n = 0;
  let done = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: ((r: IteratorResult<number>) => void) | undefined;
  const finish = (): IteratorResult<number> => {
    done = true;
    clearTimeout(timer);
    pending?.({ done: true, value: undefined });
    pending = undefined;
    return { done: true, value: undefined };
  };
  const it: AsyncIterableIterator<number> = {
    next() {
      if (done || (limit !== null && n >= limit)) return Promise.resolve(finish());
      return new Promise((resolve) => {
        pending = resolve;
        timer = setTimeout(() => {
          pending = undefined;
          resolve({ done: false, value: ++n });
        }, intervalMs);
      });
    },
    return: () => Promise.resolve(finish()),
    throw: (e: unknown) => {
      finish();
      return Promise.reject(e);
    },
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}
