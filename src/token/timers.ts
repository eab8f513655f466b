// setTimeout overflows above 2^31-1 ms and then fires at once; clamp instead (callers re-check).
const MAX_DELAY = 2 ** 31 - 1;

/**
 * `setTimeout` with a clamped delay. `background` timers are unref'd where the runtime supports it
 * (Node), so a pending scheduled refresh never keeps a process alive; timers something awaits stay
 * ref'd, or a script awaiting a retry could exit mid-backoff.
 */
export const later = (f: () => void, ms: number, background?: boolean) => {
  const t = setTimeout(f, Math.min(ms, MAX_DELAY));
  if (background) (t as { unref?: () => void }).unref?.();
  return t;
};

/**
 * Settles like `f()`, or rejects with the signal's reason as soon as it aborts. The listener is
 * not removed: every signal passed here belongs to one refresh or one attempt and dies with it.
 */
export const abortable = <T>(signal: AbortSignal, f: () => T | PromiseLike<T>): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const stop = () => reject(signal.reason);
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop);
    Promise.resolve(f()).then(resolve, reject);
  });
