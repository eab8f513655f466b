import { abortable } from './abort.js';

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

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  let timer: ReturnType<typeof later> | undefined;
  return abortable(
    signal,
    () =>
      new Promise<void>((resolve) => {
        timer = later(resolve, ms);
      }),
  ).finally(() => clearTimeout(timer));
}
