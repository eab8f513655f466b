import { later } from '../shared/timers.js';

/**
 * `scheduleRefresh`: a background refresh when the token starts expiring, so operations rarely
 * wait, and at once when a browser page wakes up. A timer that fires late (sleep, a frozen tab)
 * changes nothing: every `getAccessToken` compares the expiry with `now()` anyway.
 */
export class RefreshSchedule {
  readonly #enabled: boolean;
  readonly #now: () => number;
  readonly #onDue: () => void;
  readonly #stopListeningForWakeUp: () => void;
  #timer: ReturnType<typeof later> | undefined;

  /** `onDue` runs when the token starts expiring, and when the page wakes up. */
  constructor(enabled: boolean, now: () => number, onDue: () => void) {
    this.#enabled = enabled;
    this.#now = now;
    this.#onDue = onDue;
    this.#stopListeningForWakeUp = enabled ? listenForWakeUp(onDue) : () => {};
  }

  /** Re-arms the timer for `expiringFrom` (epoch ms); `Infinity`: no timer. */
  arm(expiringFrom: number): void {
    clearTimeout(this.#timer);
    if (!this.#enabled) return;
    const delay = expiringFrom - this.#now();
    // Never for a token that is already expiring: re-arming after each refresh would loop.
    // Unref'd: a pending background refresh never keeps a Node process alive.
    if (delay > 0 && delay < Infinity) this.#timer = later(this.#onDue, delay, true);
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#stopListeningForWakeUp();
  }
}

interface VisibilityTarget extends EventTarget {
  visibilityState?: string;
}

/**
 * Calls `onWakeUp` when the page becomes visible again or the network comes back: after a night
 * asleep a timer fires late (or a frozen tab's not at all), and the first operation would
 * otherwise wait for the refresh. Returns the function that removes the listeners; does nothing
 * outside browsers (no `document`).
 */
function listenForWakeUp(onWakeUp: () => void): () => void {
  const page = (globalThis as { document?: VisibilityTarget }).document;
  if (typeof page?.addEventListener !== 'function') return () => {};
  const network = globalThis as unknown as Partial<EventTarget>;
  const onVisibilityChange = () => {
    if (page.visibilityState === 'visible') onWakeUp();
  };
  page.addEventListener('visibilitychange', onVisibilityChange);
  network.addEventListener?.('online', onWakeUp);
  return () => {
    page.removeEventListener('visibilitychange', onVisibilityChange);
    network.removeEventListener?.('online', onWakeUp);
  };
}
