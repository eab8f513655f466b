// setTimeout overflows above 2^31-1 ms and then fires at once; clamp instead (callers re-check).
const MAX_DELAY = 2 ** 31 - 1;

/**
 * `setTimeout` with a clamped delay. `background` timers are unref'd where the runtime supports it
 * (Node), so a pending scheduled refresh never keeps a process alive; timers something awaits stay
 * ref'd, or a script awaiting a retry could exit mid-backoff.
 */
export function later(callback: () => void, ms: number, background = false) {
  const timer = setTimeout(callback, Math.min(ms, MAX_DELAY));
  if (background) (timer as { unref?: () => void }).unref?.();
  return timer;
}

/**
 * Runs `onAbort` once `signal` aborts (at once if it already has). Returns the function that
 * removes the listener: signals here can outlive many uses (one refresh, many attempts), and a
 * listener left behind per use piles up (Node warns past ten).
 */
export function onAbort(signal: AbortSignal, onAbort: (reason: unknown) => void): () => void {
  const listener = () => onAbort(signal.reason);
  if (signal.aborted) {
    listener();
    return () => {};
  }
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts. */
export function abortable<T>(signal: AbortSignal, promise: PromiseLike<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stopListening = onAbort(signal, reject);
    promise.then(
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

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  let timer: ReturnType<typeof later> | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = later(resolve, ms);
  });
  return abortable(signal, elapsed).finally(() => clearTimeout(timer));
}
