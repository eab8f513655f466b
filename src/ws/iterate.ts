import type { Sink } from 'graphql-ws';

/**
 * `client.iterate()` over a `subscribe` function: every value in order, then done, or the
 * error thrown once. A plain iterator rather than an async generator: `return()` must end a
 * pending `next()` at once (a generator waits for its own pending step).
 */
export function iterateSubscription<Result>(
  subscribe: (sink: Sink<Result>) => () => void,
): AsyncIterableIterator<Result> {
  const received: Result[] = [];
  /** How the subscription ended, once it did: with `error`, or completed. */
  let ending: { error?: unknown } | undefined;
  let wakeUp = () => {};
  const end = (how: { error?: unknown }) => {
    ending ??= how;
    wakeUp();
  };
  const unsubscribe = subscribe({
    next(value) {
      received.push(value);
      wakeUp();
    },
    error: (error) => end({ error }),
    complete: () => end({}),
  });

  const iterator: AsyncIterableIterator<Result> = {
    async next() {
      while (!received.length && !ending) {
        await new Promise<void>((resolve) => {
          wakeUp = resolve;
        });
      }
      if (received.length) return { value: received.shift() as Result, done: false };
      const ended = ending;
      ending = {}; // the error is thrown once, then the iterator is done
      if (ended && 'error' in ended) throw ended.error;
      return { value: undefined, done: true };
    },
    async return() {
      received.length = 0;
      end({});
      unsubscribe();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
