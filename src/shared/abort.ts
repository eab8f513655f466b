/**
 * Why `signal` aborted: its `reason`, or an `AbortError` where the runtime's `AbortSignal` has
 * no `reason` (older polyfills, React Native).
 */
export const abortReason = (signal: AbortSignal): unknown =>
  signal.reason ?? Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });

/**
 * Runs `onAborted` once `signal` aborts (at once if it already has). Returns the function that
 * removes the listener: a signal can outlive many uses (one refresh and its attempts, or an
 * app's controller for a whole page), and a listener left behind per use piles up (Node warns
 * past ten).
 */
export function onAbort(signal: AbortSignal, onAborted: (reason: unknown) => void): () => void {
  const listener = () => onAborted(abortReason(signal));
  if (signal.aborted) {
    listener();
    return () => {};
  }
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}

/**
 * Settles like `start()`, or rejects with the abort reason as soon as `signal` aborts, as `fetch`
 * does. `start` is called synchronously, and not at all when `signal` has already aborted; a
 * `start` that throws rejects.
 */
export function abortable<T>(
  signal: AbortSignal | null | undefined,
  start: () => T | PromiseLike<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const stopListening = signal ? onAbort(signal, reject) : () => {};
    // Started inside an executor, so that a `start` that throws rejects (and stops listening).
    new Promise<T>((started) => started(start())).then(
      (value) => {
        stopListening();
        resolve(value);
      },
      (error: unknown) => {
        stopListening();
        reject(error);
      },
    );
  });
}
