interface VisibilityTarget extends EventTarget {
  visibilityState?: string;
}

/**
 * Calls `onWakeUp` when the page becomes visible again or the network comes back: after a night
 * asleep a timer fires late (or a frozen tab's not at all), and the first operation would
 * otherwise wait for the refresh. Returns the function that removes the listeners; does nothing
 * outside browsers (no `document`).
 */
export function listenForWakeUp(onWakeUp: () => void): () => void {
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
